"""How long `dsop --help` takes to start, against a bare `python -c pass` in the same run.

Target: `dsop --help` (and a party's `--help`) within 0.3 s: a party's code is imported only when
one of its commands runs.  Prints the median of ``--runs`` of each and their ratio; a loaded machine
slows both alike, so the ratio is the figure to compare between runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

DSOP = "from opendsop.cli import main; main()"


def median_seconds(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("command", nargs="*", default=["--help"], help="dsop's arguments (default: --help)")
    args = parser.parse_args()
    bare = median_seconds([sys.executable, "-c", "pass"], args.runs)
    dsop = median_seconds([sys.executable, "-c", DSOP, *args.command], args.runs)
    print(f"python -c pass        {bare * 1000:7.1f} ms (median of {args.runs})")
    print(f"dsop {' '.join(args.command):<16} {dsop * 1000:7.1f} ms (median of {args.runs})")
    print(f"ratio                 {dsop / bare:7.1f}×   target: dsop --help ≤ 300 ms")


if __name__ == "__main__":
    main()
