"""The bank's Konkursvarsel consumer: pull the bankruptcy notices and act on them (DSOP Konkurs “Løsningsbeskrivelse”).

Decides how a bank follows Brreg's feed:

* **Pull from the stored cursor.**  The first call asks for notices registered after a timestamp a
  few days back (``lookback``, or ``start`` when seeding from an older point); every later call
  passes the stored ``registreringstidspunkt`` of the last notice read.  Each listed notice's full
  dataset (``konkursvarsler/{uuid}``) is fetched for its ``kjennelsesdato``.
* **One transaction per notice.**  ``BankStore.apply_konkurs_notice`` stores the notice, blocks
  (``aapning``) or reopens (``sletting``) the debtor's accounts and moves the cursor in one
  transaction; ``oppheving`` (the bank decides, so nothing is done automatically) and
  ``avslutning`` (information only) are recorded.  A crash between two notices therefore resumes
  after the last one applied, and a notice seen twice (same ``uuid``) changes nothing.
* **When.**  Brreg refreshes the feed every 15 minutes on working days 08:00–16:00 (at most 32
  times a day) while the API answers 24/7, so :func:`seconds_until_next_poll` polls every
  ``interval`` in that window and otherwise sleeps until the next working morning (Oslo time;
  public holidays are not known here, so they are polled like working days — harmless).
* **Facts.**  :class:`StoredNoticeRegisters` answers ``kjennelsesdato`` from the stored notices
  (the bank "confirms the bankruptcy via the Konkursvarsel fields type and kjennelsesdato"),
  delegating the Folkeregister questions to the wrapped ``Registers``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from opendsop.clock import OSLO
from opendsop.clock import utc_now as _utc_now
from opendsop.contracts.registers.clients import Konkursregister
from opendsop.contracts.registers.facts import kjennelsesdato as standing_ruling
from opendsop.contracts.registers.models import KonkursType
from opendsop.provider.ports import Registers
from opendsop.provider.store.repository import KONKURS_FEED, BankStore, NoticeOutcome
from opendsop.serving import redact
from opendsop.standard.request import Guardianship

log = logging.getLogger("opendsop.provider.feeds")

DEFAULT_INTERVAL = 15 * 60.0
DEFAULT_LOOKBACK = timedelta(days=3)
WINDOW_OPENS = time(8, 0)
WINDOW_CLOSES = time(16, 15)  # the 16:00 refresh plus a margin to read it


class FeedError(RuntimeError):
    """The feed contradicted itself (a listed notice has no dataset); nothing after it was applied."""


@dataclass
class PollReport:
    """What one :meth:`KonkursFeed.poll` did."""

    read: int = 0
    applied: int = 0
    duplicates: int = 0
    blocked: int = 0
    reopened: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    cursor: datetime | None = None

    def add(self, outcome: NoticeOutcome) -> None:
        self.read += 1
        if not outcome.applied:
            self.duplicates += 1
            return
        self.applied += 1
        self.by_type[str(outcome.type)] = self.by_type.get(str(outcome.type), 0) + 1
        if outcome.type is KonkursType.AAPNING:
            self.blocked += outcome.accounts_changed
        elif outcome.type is KonkursType.SLETTING:
            self.reopened += outcome.accounts_changed


class KonkursFeed:
    """Follows the Konkursvarsel feed into one bank's store.

    ``start`` is the first cursor when none is stored (default: ``lookback`` before now);
    ``page_size`` is the ``antall`` asked per page.
    """

    def __init__(
        self,
        store: BankStore,
        register: Konkursregister,
        *,
        clock: Callable[[], datetime] = _utc_now,
        lookback: timedelta = DEFAULT_LOOKBACK,
        start: datetime | None = None,
        page_size: int = 100,
        feed: str = KONKURS_FEED,
    ) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("start must be a timezone-aware datetime")
        self._store = store
        self._register = register
        self._clock = clock
        self._lookback = lookback
        self._start = start
        self._page_size = page_size
        self._feed = feed

    async def cursor(self) -> datetime:
        """Where the next poll reads from: the stored cursor, else the configured start."""
        stored = await self._store.konkurs_cursor(self._feed)
        if stored is not None:
            return stored
        return self._start if self._start is not None else self._clock() - self._lookback

    async def poll(self) -> PollReport:
        """Read every notice registered after the cursor and apply each (one transaction each)."""
        report = PollReport()
        cursor = await self.cursor()
        while True:
            page = await self._register.notices_since(cursor, self._page_size)
            for summary in page.notices:
                notice = await self._register.notice(summary.uuid)
                if notice is None:
                    raise FeedError(f"notice {summary.uuid} is listed in the feed but has no dataset")
                outcome = await self._store.apply_konkurs_notice(notice, feed=self._feed)
                report.add(outcome)
                cursor = summary.registreringstidspunkt
                if outcome.applied and outcome.type in (KonkursType.AAPNING, KonkursType.SLETTING):
                    log.info(
                        "konkursvarsel %s %s for %s: %d account(s) changed",
                        outcome.type,
                        outcome.uuid,
                        redact(outcome.debitor),
                        outcome.accounts_changed,
                    )
            if not page.more or not page.notices:
                break
        report.cursor = await self._store.konkurs_cursor(self._feed)
        return report

    async def run(
        self, *, interval: float = DEFAULT_INTERVAL, working_hours_only: bool = True, stop: asyncio.Event | None = None
    ) -> None:
        """Poll until ``stop`` is set (or cancelled); a failed poll is logged and retried next time."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                report = await self.poll()
                if report.read:
                    log.info(
                        "konkursvarsel poll: %d read, %d applied, %d duplicate(s), %d blocked, %d reopened",
                        report.read,
                        report.applied,
                        report.duplicates,
                        report.blocked,
                        report.reopened,
                    )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("konkursvarsel poll failed; retrying at the next interval")
            delay = seconds_until_next_poll(self._clock(), interval, working_hours_only=working_hours_only)
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                pass


def seconds_until_next_poll(
    now: datetime, interval: float, *, working_hours_only: bool = True, zone: tzinfo = OSLO
) -> float:
    """Seconds to wait before the next poll (``interval`` inside the refresh window, else until it opens)."""
    if not working_hours_only:
        return interval
    local = now.astimezone(zone)
    if _in_window(local + timedelta(seconds=interval)):
        return interval
    day = local.date() if local.time() < WINDOW_OPENS else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    opens = datetime.combine(day, WINDOW_OPENS, tzinfo=zone)
    return max((opens.astimezone(UTC) - now.astimezone(UTC)).total_seconds(), 0.0)


def _in_window(moment: datetime) -> bool:
    return moment.weekday() < 5 and WINDOW_OPENS <= moment.time() <= WINDOW_CLOSES


@dataclass(frozen=True)
class StoredNoticeRegisters:
    """``Registers`` whose ``kjennelsesdato`` comes from the notices this bank has stored.

    Deaths, shielding and guardianships are asked of ``inner`` (Folkeregisteret).
    """

    store: BankStore
    inner: Registers

    async def date_of_death(self, party_id: str) -> date | None:
        return await self.inner.date_of_death(party_id)

    async def is_shielded(self, party_id: str) -> bool:
        return await self.inner.is_shielded(party_id)

    async def guardianships(self, ward: str) -> tuple[Guardianship, ...]:
        return await self.inner.guardianships(ward)

    async def kjennelsesdato(self, party_id: str) -> date | None:
        return standing_ruling(await self.store.konkurs_notices_for(party_id))


__all__ = [
    "DEFAULT_INTERVAL",
    "DEFAULT_LOOKBACK",
    "FeedError",
    "KonkursFeed",
    "PollReport",
    "StoredNoticeRegisters",
    "seconds_until_next_poll",
]
