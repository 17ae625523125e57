"""How long `dsop --help` takes to start, against a bare `python -c pass` in the same run.

Target: `dsop --help` and every command's `--help` (``--every``) within 0.3 s: a party's server,
store and HTTP clients are imported only when one of its commands runs.  Prints the median of
``--runs`` of each and its ratio to the bare interpreter; a loaded machine slows both alike, so the
ratio is the figure to compare between runs.
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
    parser.add_argument("--every", action="store_true", help="also time `dsop COMMAND --help` for every command")
    parser.add_argument("command", nargs="*", default=["--help"], help="dsop's arguments (default: --help)")
    args = parser.parse_args()
    runs = [args.command]
    if args.every:
        from opendsop.cli import LAZY, app

        eager = [info.name or info.callback.__name__ for info in app.registered_commands if info.callback]
        runs += [[name, "--help"] for name in sorted([*LAZY, *eager])]
    bare = median_seconds([sys.executable, "-c", "pass"], args.runs)
    print(f"{'python -c pass':<26} {bare * 1000:7.1f} ms (median of {args.runs})")
    for command in runs:
        dsop = median_seconds([sys.executable, "-c", DSOP, *command], args.runs)
        print(f"{'dsop ' + ' '.join(command):<26} {dsop * 1000:7.1f} ms  {dsop / bare:5.1f}×")
    print("target: ≤ 300 ms on a quiet machine, about 3× the bare interpreter")


if __name__ == "__main__":
    main()
