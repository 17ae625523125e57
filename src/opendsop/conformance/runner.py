# SPDX-License-Identifier: Apache-2.0
"""Running checks: each under a timeout, every outcome recorded, the run never stopped by one failure.

Results are appended to a JSON Lines state file as they come, so an interrupted run resumes where it
stopped (``--resume``): checks that passed, failed or were skipped are not asked again; those that
erred (the bank did not answer) are.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from opendsop.conformance.context import Context, Unreachable
from opendsop.conformance.model import Check, Failed, Outcome, Result, Skipped

CHECK_TIMEOUT = 60.0  # seconds for one check (paging walks several pages)
Progress = Callable[[Check, Result], None]


def load_state(path: Path) -> dict[str, Result]:
    """The settled results of an earlier run (a damaged line is ignored: that check runs again)."""
    done: dict[str, Result] = {}
    if not path.is_file():
        return done
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            result = Result.from_dict(json.loads(line))
        except (ValueError, KeyError, TypeError):
            continue
        if result.outcome is not Outcome.ERROR:
            done[result.id] = result
    return done


async def run_check(check: Check, ctx: Context, *, timeout: float = CHECK_TIMEOUT) -> Result:
    ctx.reset()
    started = time.perf_counter()
    outcome, message = Outcome.PASSED, ""
    timeout = max(timeout, check.timeout or 0.0)
    try:
        async with asyncio.timeout(timeout):
            await check.run(ctx)
    except Failed as failure:
        outcome, message = Outcome.FAILED, str(failure)
    except Skipped as skip:
        outcome, message = Outcome.SKIPPED, str(skip)
    except Unreachable as error:
        outcome, message = Outcome.ERROR, str(error)
    except TimeoutError:
        outcome, message = Outcome.ERROR, f"the check did not finish within {timeout:g} s"
    except Exception as error:  # a misbehaving bank must never crash the kit: report it on this check
        outcome, message = Outcome.ERROR, f"{type(error).__name__}: {str(error)[:300]}"
    keep = outcome in (Outcome.FAILED, Outcome.ERROR)
    return Result(
        id=check.id,
        rule=check.rule,
        title=check.title,
        source=check.source,
        severity=check.severity.value,
        service=check.service,
        outcome=outcome,
        message=message,
        seconds=time.perf_counter() - started,
        exchanges=[exchange.as_dict() for exchange in ctx.exchanges[-3:]] if keep else [],
    )


async def run(
    checks: Sequence[Check],
    ctx: Context,
    *,
    state: Path | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    timeout: float = CHECK_TIMEOUT,
) -> list[Result]:
    done = load_state(state) if state is not None and resume else {}
    if state is not None and not resume:
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text("", encoding="utf-8")
    results: list[Result] = []
    for check in checks:
        result = done.get(check.id) or await run_check(check, ctx, timeout=timeout)
        if state is not None and check.id not in done:
            with state.open("a", encoding="utf-8") as stream:
                stream.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
        results.append(result)
        if progress is not None:
            progress(check, result)
    return results


__all__ = ["CHECK_TIMEOUT", "load_state", "run", "run_check"]
