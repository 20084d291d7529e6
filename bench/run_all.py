"""Runs every benchmark in turn, each in its own process, even when one fails, and ends with
``benchmarks: N passed, M failed``.

Against whatever ``DATABASE_URL`` says: SQLite by default, PostgreSQL when it names a
PostgreSQL server (the benchmarks then use a database of their own there: see
``dataset.py``). The shared full-size dataset is made ready first (built once, then reused),
then the benchmarks that read it (``bench_pages``, ``bench_load``, ``bench_executive_pack``),
then those that build and write data of their own in a scratch database or schema.

A goal is one ``PASS`` or ``FAIL`` line a script prints; a script that breaks (exits
non-zero without printing a ``FAIL``) counts as one more failure. The exit status is 1 when
anything failed. Each script's time is printed after it. ``run_all.py WORD ...`` runs only
the scripts whose name holds one of the words (``run_all.py dataset pages``).
"""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST = ("dataset.py", "bench_pages.py", "bench_load.py", "bench_executive_pack.py")


def scripts(only: list[str]) -> list[Path]:
    """Every benchmark, the dataset first; with ``only``, those whose name holds one of them."""
    first = [HERE / name for name in FIRST]
    every = first + [path for path in sorted(HERE.glob("bench_*.py")) if path not in first]
    return [path for path in every if not only or any(word in path.name for word in only)]


def main() -> int:
    passed = failed = 0
    timings = []
    for script in scripts(sys.argv[1:]):
        print(f"=== {script.name} ===", flush=True)
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, check=False
        )
        seconds = time.perf_counter() - started
        timings.append((script.name, seconds))
        sys.stdout.write(run.stdout)
        lines = run.stdout.splitlines()
        passes = sum(1 for line in lines if line.startswith("PASS"))
        fails = sum(1 for line in lines if line.startswith("FAIL"))
        passed += passes
        failed += fails
        if run.returncode != 0 and fails == 0:
            print(f"FAIL  {script.name} stopped with exit status {run.returncode}", flush=True)
            failed += 1
        print(f"=== {script.name}: {seconds:.0f} s ===", flush=True)
    print("")
    for name, seconds in timings:
        print(f"  {name:<28}{seconds:>7.0f} s")
    print(f"benchmarks: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
