"""Cost of the rules on a bank's hot path: authorize + filter_response on a 1000-transaction page,
against msgspec encoding of the same page alone, measured in the same run (ratio).

Target (issue 2): filtering costs ≤ 0.5x the encode time.  Prints medians over several rounds.
"""

from __future__ import annotations

import gc
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from random import Random

from opendsop.standard import ControlRequest, Endpoint, Environment, Facts, authorize, filter_response, wire
from opendsop.standard import mandate as mandates
from opendsop.standard.examples import transactions_page

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
ROUNDS = 15
PAGES = 8


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(ROUNDS):
        gc.collect()
        gc.disable()  # as timeit does: a collection triggered by an earlier allocation is noise
        start = time.perf_counter()
        for _ in range(repeat):
            action()
        samples.append((time.perf_counter() - start) / repeat)
        gc.enable()
    return statistics.median(samples)


def main() -> None:
    page = transactions_page(Random(1), TODAY, count=1000)
    encode = median_seconds(lambda: wire.encode(page), 20)
    request = ControlRequest(
        endpoint=Endpoint.TRANSACTIONS, consumer_org="974720760", legal_mandate=mandates.OED.encoded,
        account_info_request_id=str(uuid.uuid4()), correlation_id=str(uuid.uuid4()),
        from_date="2026-08-01", to_date=TODAY.isoformat(),
    )
    facts = Facts(party_id="01017012345", date_of_death=TODAY - timedelta(days=30))
    assert authorize(request, facts, TODAY, environment=Environment.TEST)
    decide = median_seconds(lambda: authorize(request, facts, TODAY, environment=Environment.TEST), 2000)

    print(f"page: 1000 transactions, {len(wire.encode(page)):,} bytes of JSON")
    print(f"msgspec encode (baseline)          {encode * 1e3:8.3f} ms")
    print(f"authorize (OED transactions)       {decide * 1e6:8.1f} µs   {1 / decide:,.0f} decisions/s   "
          f"ratio {decide / encode:.3f}x")
    print(f"{'filter_response':34} {'copy ms':>8} {'ratio':>7} {'in-place ms':>12} {'ratio':>7}")
    for service in ("skatt", "politi", "nav", "konkurs", "verge", "oed"):
        copy = median_seconds(lambda s=service: filter_response(s, Endpoint.TRANSACTIONS, page), 10)
        in_place = _in_place(service)
        print(f"  {service:32} {copy * 1e3:8.3f} {copy / encode:6.2f}x {in_place * 1e3:12.3f} "
              f"{in_place / encode:6.2f}x")
    total = decide + _in_place("oed")
    print(f"authorize + filter (OED, in place) + encode: {1 / (total + encode):,.0f} pages/s on one core")


def _in_place(service: str) -> float:
    # Each page can be stripped in place only once: time fresh pages, built outside the timer.
    samples = []
    for round_number in range(ROUNDS // 3):
        pages = [transactions_page(Random(round_number * PAGES + index), TODAY, count=1000) for index in range(PAGES)]
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        for fresh in pages:
            filter_response(service, Endpoint.TRANSACTIONS, fresh, in_place=True)
        samples.append((time.perf_counter() - start) / PAGES)
        gc.enable()
    return statistics.median(samples)


if __name__ == "__main__":
    main()
