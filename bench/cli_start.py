"""How long `dsop --help` takes to start, against a bare `python -c pass` in the same run.

Target: `dsop --help` and every command's `--help` (``--every``) within 0.3 s.  ``--help`` is printed from
the help index (``opendsop.entry``; built by ``make install``); the figures without the index show what the
command tree itself costs, where a party's server, store and HTTP clients are imported only when one of its
commands runs.  Prints the median of
``--runs`` of each and its ratio to the bare interpreter; a loaded machine slows both alike, so the
ratio is the figure to compare between runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

DSOP = "from opendsop.entry import main; main()"


def median_seconds(argv: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
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
    subprocess.run([sys.executable, "-c", DSOP, "--rebuild-help"], check=True, stdout=subprocess.DEVNULL)
    bare = median_seconds([sys.executable, "-c", "pass"], args.runs)
    print(f"{'python -c pass':<30} {bare * 1000:7.1f} ms (median of {args.runs})")
    with tempfile.TemporaryDirectory() as empty:  # no help index: what the command tree itself costs
        cold = {**os.environ, "DSOP_HELP_INDEX": os.path.join(empty, "none.json")}
        for command in runs:
            label = "dsop " + " ".join(command)
            warm_s = median_seconds([sys.executable, "-c", DSOP, *command], args.runs)
            cold_s = median_seconds([sys.executable, "-c", DSOP, *command], args.runs, cold)
            print(
                f"{label:<30} {warm_s * 1000:7.1f} ms  {warm_s / bare:5.1f}×   "
                f"without the index {cold_s * 1000:7.1f} ms  {cold_s / bare:5.1f}×"
            )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("target: ≤ 300 ms on a quiet machine, about 3× the bare interpreter")


if __name__ == "__main__":
    main()
