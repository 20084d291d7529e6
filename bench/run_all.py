"""Runs every ``bench/bench_*.py`` in turn, each in its own process, even when one fails,
and ends with ``benchmarks: N passed, M failed``.

A goal is one ``PASS`` or ``FAIL`` line a script prints; a script that breaks (exits
non-zero) counts as one more failure. The exit status is 1 when anything failed.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    passed = failed = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"=== {script.name} ===", flush=True)
        run = subprocess.run(
            [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, check=False
        )
        sys.stdout.write(run.stdout)
        lines = run.stdout.splitlines()
        passed += sum(1 for line in lines if line.startswith("PASS"))
        failed += sum(1 for line in lines if line.startswith("FAIL"))
        if run.returncode != 0:
            print(f"FAIL  {script.name} stopped with exit status {run.returncode}", flush=True)
            failed += 1
    print(f"benchmarks: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
