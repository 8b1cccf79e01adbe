"""Wall time and peak memory of one odoo-bin command, e.g. installing the add-on.

    python benchmarks/bench_install.py --step install --label L -- ODOO-BIN ARGS...

Runs the command as a child process and prints its wall and CPU seconds and its peak
resident memory (getrusage of the children: the largest child's high-water mark), and
one JSON line (prefix "JSON "). Exits non-zero when the command fails or its log
(stderr, kept in --log) says ERROR or CRITICAL.
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

FAILURES = re.compile(r" (ERROR|CRITICAL) |Some modules are not loaded")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", required=True, help="name of what is measured")
    parser.add_argument("--label", default="")
    parser.add_argument("--invoices", type=int, default=0, help="size of the book")
    parser.add_argument("--log", type=Path, required=True, help="the command's output")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    load = os.getloadavg()[0]
    start = time.perf_counter()
    with args.log.open("w") as log:
        done = subprocess.run(
            command, stdout=log, stderr=subprocess.STDOUT, check=False
        )
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    failed = [
        line for line in args.log.read_text().splitlines() if FAILURES.search(line)
    ]
    record = {
        "bench": "install",
        "step": args.step,
        "label": args.label,
        "invoices": args.invoices,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_peak_mib": usage.ru_maxrss / 1024,
        "load_1min": load,
        "returncode": done.returncode,
    }
    print(
        f"{args.step:<8} {args.invoices:>7,} invoices: {wall:7.1f} s wall, "
        f"{record['cpu_s']:6.1f} s CPU (Odoo's process), peak RSS "
        f"{record['rss_peak_mib']:.0f} MiB, load {load:.2f}",
        flush=True,
    )
    print("JSON " + json.dumps(record), flush=True)
    if done.returncode or failed:
        print("\n".join(failed[:20]) or f"exit code {done.returncode}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
