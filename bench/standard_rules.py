"""Cost of the rules on a bank's hot path: authorize + filter_response on a 1000-transaction page,
against msgspec encoding of the same page alone, measured in the same run (ratio).

Target: filtering costs ≤ 0.5x the encode time.

A bank builds each page fresh, filters it, then encodes it, so the fair measure is on *fresh* pages:
encode-only against filter + encode of equally fresh pages, the difference being the filtering
cost.  (Timing encode on one hot page against filtering cold ones would charge the filter for the
cache misses that encoding pays just the same.)  Medians over several rounds.
"""

from __future__ import annotations

import gc
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from random import Random
from typing import Any

from opendsop.standard import ControlRequest, Endpoint, Environment, Facts, authorize, filter_response, wire
from opendsop.standard import mandate as mandates
from opendsop.standard.examples import transactions_page

TODAY = date(2026, 11, 28)
ROUNDS = 7
PAGES = 6


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(ROUNDS):
        gc.collect()
        gc.disable()  # as timeit does
        start = time.perf_counter()
        for _ in range(repeat):
            action()
        samples.append((time.perf_counter() - start) / repeat)
        gc.enable()
    return statistics.median(samples)


def on_fresh_pages(step: Callable[[Any], object]) -> float:
    """Median seconds per page of ``step`` applied to freshly built 1000-transaction pages."""
    samples = []
    for round_number in range(ROUNDS):
        gc.collect()
        gc.disable()
        pages = [transactions_page(Random(round_number * PAGES + index), TODAY, count=1000) for index in range(PAGES)]
        start = time.perf_counter()
        for page in pages:
            step(page)
        samples.append((time.perf_counter() - start) / PAGES)
        gc.enable()
    return statistics.median(samples)


def main() -> None:
    page = transactions_page(Random(1), TODAY, count=1000)
    request = ControlRequest(
        endpoint=Endpoint.TRANSACTIONS,
        consumer_org="974720760",
        legal_mandate=mandates.OED.encoded,
        account_info_request_id=str(uuid.uuid4()),
        correlation_id=str(uuid.uuid4()),
        from_date="2026-08-01",
        to_date=TODAY.isoformat(),
    )
    facts = Facts(party_id="01017012345", date_of_death=TODAY - timedelta(days=30))
    assert authorize(request, facts, TODAY, environment=Environment.TEST)
    decide = median_seconds(lambda: authorize(request, facts, TODAY, environment=Environment.TEST), 2000)
    for service in ("skatt", "oed"):  # compile the strip plans outside the timings
        filter_response(service, Endpoint.TRANSACTIONS, transactions_page(Random(-1), TODAY, count=5), in_place=True)

    encode = on_fresh_pages(wire.encode)
    print(f"page: 1000 transactions, {len(wire.encode(page)):,} bytes of JSON; medians of {ROUNDS} rounds")
    print(f"encode of a fresh page (baseline)           {encode * 1e3:8.3f} ms")
    print(
        f"authorize (OED transactions)                {decide * 1e6:8.1f} µs  {1 / decide:10,.0f} decisions/s  "
        f"{decide / encode:5.2f}x encode"
    )
    for service in ("skatt", "oed"):
        both = on_fresh_pages(
            lambda p, s=service: wire.encode(filter_response(s, Endpoint.TRANSACTIONS, p, in_place=True))
        )
        cost = max(both - encode, 0.0)
        print(
            f"filter_response {service:6} in place + encode        {both * 1e3:8.3f} ms  "
            f"filtering {cost * 1e3:6.3f} ms = {cost / encode:5.2f}x encode"
        )
    copy = on_fresh_pages(lambda p: filter_response("oed", Endpoint.TRANSACTIONS, p))
    print(f"filter_response oed, copying (pure mode)    {copy * 1e3:8.3f} ms  {copy / encode:5.2f}x encode")
    total = decide + on_fresh_pages(
        lambda p: wire.encode(filter_response("oed", Endpoint.TRANSACTIONS, p, in_place=True))
    )
    print(f"authorize + filter + encode (OED): {1 / total:,.0f} pages/s on one core")


if __name__ == "__main__":
    main()
