"""make bench: every benchmark, one after another, printing figures."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["import_bench.py", "admin_bench.py", "site_bench.py", "cluster_bench.py"]

if __name__ == "__main__":
    failures = 0
    for name in BENCHMARKS:
        script = HERE / name
        if script.exists():
            print(f"== {name}", flush=True)
            failures += (
                subprocess.run([sys.executable, str(script)], env=os.environ, check=False).returncode != 0
            )
    sys.exit(1 if failures else 0)
