"""Wall time and peak memory of one odoo-bin command, e.g. installing the add-on.

    python benchmarks/bench_install.py --step install --label L -- ODOO-BIN ARGS...

Runs the command as a child process and prints its wall and CPU seconds and its peak
resident memory (getrusage of the children: the largest child's high-water mark), the
CPU seconds of the PostgreSQL backends that served its database (`-d` of the command;
read from /proc every 0.1 s while it runs: the server must be on this machine), the
load average before and after, and one JSON line (prefix "JSON "). When the command
logs its queries (`--log-level=debug_sql`), also their count and seconds (the time
each took as Odoo measured it, summed) and the statements that took longest. Exits
non-zero when the command fails or its log (stderr, kept in --log) says ERROR or
CRITICAL.
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

FAILURES = re.compile(r" (ERROR|CRITICAL) |Some modules are not loaded")
# Odoo's debug_sql lines: "... odoo.sql_db: [12.345 ms] query: SELECT ..."
QUERY = re.compile(r"odoo\.sql_db: \[([0-9.]+) ms\] query: (.*)", re.DOTALL)
RECORD = re.compile(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ )")
LEADER = re.compile(r"parallel worker for PID (\d+)")


class PostgresCpu(threading.Thread):
    """CPU seconds of the PostgreSQL backends of one database, while it runs.

    Each backend's CPU as last read from /proc/<pid>/stat: a backend that ends
    between two readings loses at most 0.1 s. Parallel workers of those backends
    count too.
    """

    def __init__(self, database):
        super().__init__(daemon=True)
        self.database = f" {database} ".encode()
        self.cpu = {}
        self.readable = False
        self.done = threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")

    def run(self):
        while not self.done.wait(0.1):
            self.read()
        self.read()

    def read(self):
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as file:
                    title = file.read()
                if not title.startswith(b"postgres: "):
                    continue
                leader = LEADER.search(title.decode(errors="replace"))
                if self.database not in title and not (
                    leader and int(leader.group(1)) in self.cpu
                ):
                    continue
                with open(f"/proc/{pid}/stat") as file:
                    fields = file.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self.readable = True
            self.cpu[int(pid)] = (int(fields[11]) + int(fields[12])) / self.tick

    def seconds(self):
        self.done.set()
        self.join()
        return sum(self.cpu.values()) if self.readable else None


def database_of(command):
    for flag, value in zip(command, command[1:], strict=False):
        if flag in ("-d", "--database"):
            return value
        if flag.startswith("--database="):
            return flag.split("=", 1)[1]
    return None


def query_log(text):
    """(count, seconds, the 5 longest statements) of a debug_sql log, or None."""
    durations = Counter()
    count = 0
    for record in RECORD.split(text):
        match = QUERY.search(record)
        if match:
            count += 1
            statement = " ".join(match.group(2).split())[:100]
            durations[statement] += float(match.group(1)) / 1000
    if not count:
        return None
    return count, sum(durations.values()), durations.most_common(5)


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
    database = database_of(command)
    postgres = PostgresCpu(database) if database else None
    if postgres:
        postgres.start()
    start = time.perf_counter()
    with args.log.open("w") as log:
        done = subprocess.run(
            command, stdout=log, stderr=subprocess.STDOUT, check=False
        )
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    pg_cpu = postgres.seconds() if postgres else None
    load_end = os.getloadavg()[0]
    text = args.log.read_text(errors="replace")
    failed = [line for line in text.splitlines() if FAILURES.search(line)]
    queries = query_log(text)
    record = {
        "bench": "install",
        "step": args.step,
        "label": args.label,
        "invoices": args.invoices,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_peak_mib": usage.ru_maxrss / 1024,
        "pg_cpu_s": pg_cpu,
        "queries": queries and queries[0],
        "sql_s": queries and queries[1],
        "load_1min": load,
        "load_1min_end": load_end,
        "returncode": done.returncode,
    }
    postgres_cpu = "n/a" if pg_cpu is None else f"{pg_cpu:.1f} s"
    print(
        f"{args.step:<8} {args.invoices:>7,} invoices: {wall:7.1f} s wall, "
        f"{record['cpu_s']:6.1f} s CPU (Odoo's process), {postgres_cpu} CPU "
        f"(PostgreSQL), peak RSS {record['rss_peak_mib']:.0f} MiB, "
        f"load {load:.2f} -> {load_end:.2f}",
        flush=True,
    )
    if queries:
        print(f"{'':8} {queries[0]:,} queries, {queries[1]:.1f} s SQL; longest:")
        for statement, seconds in queries[2]:
            print(f"{'':8} {seconds:7.2f} s  {statement[:90]}")
    print("JSON " + json.dumps(record), flush=True)
    if done.returncode or failed:
        print("\n".join(failed[:20]) or f"exit code {done.returncode}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
