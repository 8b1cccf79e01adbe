"""Time a dunning run on a benchmark book: proposal, validation, same-day second run.

    python benchmarks/bench_escalation.py -c ODOO_CONF -d DB [--as-of YYYY-MM-DD]

DB holds a book made by generate.py (its company and reference date are read from
ir.config_parameter). The company's default policy is set to automatic, every day a
sending day, no minimum interval and no level waiting for review, so that every
notice the ladder reaches is issued. Then, each step in its own transaction and
committed inside the timing, as the admin user (as OCA's anchor was measured):

  propose   debtor.dunning.escalation._propose(company, as_of) + flush_all
  validate  run.action_validate() + flush_all
  rerun     _propose + action_validate again on the same day: must issue nothing

Per step: wall and CPU seconds, SQL queries and the time spent in them, peak RSS
(reset before the step) and its growth, invoices per second. One JSON line per step
goes to stdout after the human-readable line (prefix "JSON ").
"""

import argparse
import cProfile
import datetime
import json
import os
import re
import statistics
import threading
import time
import tracemalloc
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

PARAM = "debtor_dunning.bench"
WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
STANDARD_WAITS = [7, 21, 35, 60]

BOOK_SQL = """
SELECT (SELECT count(*) FROM account_move
         WHERE company_id = %(c)s AND move_type = 'out_invoice' AND state = 'posted'),
       (SELECT count(*) FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id
          JOIN account_move m ON m.id = l.move_id
         WHERE l.company_id = %(c)s AND l.parent_state = 'posted'
           AND a.account_type = 'asset_receivable' AND NOT l.reconciled
           AND l.amount_residual > 0 AND m.move_type = 'out_invoice'
           AND l.date_maturity < %(as_of)s)
"""

RUN_SQL = """
SELECT (SELECT count(*) FROM debtor_dunning_notice WHERE run_id = %(run)s),
       (SELECT count(*) FROM debtor_dunning_notice
         WHERE run_id = %(run)s AND state = 'issued'),
       (SELECT count(*) FROM debtor_dunning_notice_line l
          JOIN debtor_dunning_notice n ON n.id = l.notice_id WHERE n.run_id = %(run)s),
       (SELECT count(*) FROM debtor_dunning_run_hold WHERE run_id = %(run)s)
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", help="Odoo configuration file")
    parser.add_argument("-d", "--database")
    parser.add_argument(
        "--as-of",
        type=datetime.date.fromisoformat,
        help="day of the run (default: the book's reference date)",
    )
    parser.add_argument("--uid", type=int, default=2, help="user running it (admin)")
    parser.add_argument(
        "--queries",
        type=Path,
        help="write the statements of each step, grouped, to this JSON",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python allocations (slows the run down)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="write a cProfile of each step to this folder (slower)",
    )
    parser.add_argument("--label", default="", help="free text copied into the JSON")
    parser.add_argument(
        "--summarize",
        type=Path,
        metavar="RESULTS",
        help="only print the medians of a results file's JSON lines",
    )
    parser.add_argument(
        "--skip",
        type=int,
        default=0,
        help="with --summarize: ignore the file's first SKIP lines",
    )
    args = parser.parse_args()
    if not args.summarize and not (args.config and args.database):
        parser.error("-c and -d are required")
    return args


# ---------------------------------------------------------------------- probes
def normalize(query):
    """Statement text without its parameters: one key per statement shape."""
    if isinstance(query, bytes):
        query = query.decode("utf-8", "replace")
    query = " ".join(query.split())
    # Batched VALUES %s, %s, ...: the number of rows is not part of the shape.
    return re.sub(r"%s(?:, %s)+", "%s, ...", query)


class QueryCounter:
    """Counts the queries of this thread and the time spent in them (Odoo's hook)."""

    def __init__(self, keep_statements):
        self.keep = keep_statements
        self.reset()

    def reset(self):
        self.count, self.seconds = 0, 0.0
        self.statements = defaultdict(lambda: [0, 0.0])

    def __call__(self, cr, query, params, start, delay):
        self.count += 1
        self.seconds += delay
        if self.keep:
            entry = self.statements[normalize(query)]
            entry[0] += 1
            entry[1] += delay


def rss_mib():
    """Current and peak resident set size of this process, MiB (Linux)."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def reset_peak_rss():
    """Start the peak RSS (VmHWM) afresh; False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@contextmanager
def measure(counter, use_tracemalloc):
    """Wall, CPU, SQL and memory figures of the block, in the dict it yields."""
    result = {"load_1min": os.getloadavg()[0]}
    result["peak_reset"] = reset_peak_rss()
    rss_before, _peak = rss_mib()
    if use_tracemalloc:
        tracemalloc.start()
    counter.reset()
    wall, cpu = time.perf_counter(), time.process_time()
    yield result
    result["wall_s"] = time.perf_counter() - wall
    result["cpu_s"] = time.process_time() - cpu
    result["queries"] = counter.count
    result["sql_s"] = counter.seconds
    result["statements"] = dict(counter.statements)
    if use_tracemalloc:
        result["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    _rss, peak = rss_mib()
    result["rss_peak_mib"] = peak
    result["rss_growth_mib"] = peak - rss_before


# ---------------------------------------------------------------------- steps
def configure(env, company):
    """Automatic, every day a sending day, no interval, no review: all is issued."""
    policy = env["debtor.dunning.policy"].search(
        [("company_id", "=", company.id), ("default_for", "=", "all")]
    )
    assert len(policy) == 1, policy
    policy.write(
        {
            "mode": "auto",
            "min_interval_days": 0,
            "grace_days": 0,
            "min_amount": 0,
            **{f"send_{day}": True for day in WEEKDAYS},
        }
    )
    levels = policy.level_ids.sorted(lambda level: (level.sequence, level.id))
    assert levels.mapped("wait_days") == STANDARD_WAITS, levels.mapped("wait_days")
    levels.write({"needs_review": False})
    return policy


def run_facts(cr, run_id):
    cr.execute(RUN_SQL, {"run": run_id})
    notices, issued, lines, holds = cr.fetchone()
    return {"notices": notices, "issued": issued, "notice_lines": lines, "holds": holds}


def summarize(path, skip):
    """Median figures per (invoices, step) of the JSON lines of a results file."""
    lines = path.read_text().splitlines()[skip:]
    groups = defaultdict(list)
    for line in filter(None, lines):
        record = json.loads(line)
        if record.get("bench") == "peer" or "notices" not in record:
            continue  # run_peer.sh's lines, appended to the same file meanwhile
        groups[record["invoices"], record["step"]].append(record)
    print(
        f"{'invoices':>9} {'step':<9} {'reps':>4} {'wall s':>8} {'inv/s':>7} "
        f"{'queries':>8} {'SQL s':>6} {'CPU s':>6} {'peak RSS MiB':>12} "
        f"{'notices':>7} {'lines':>7} {'holds':>7}"
    )
    for (invoices, step), records in groups.items():

        def median(key, records=records):
            return statistics.median(r[key] for r in records)

        wall = median("wall_s")
        print(
            f"{invoices:>9,} {step:<9} {len(records):>4} {wall:>8.2f} "
            f"{invoices / wall:>7,.0f} {median('queries'):>8,.0f} "
            f"{median('sql_s'):>6.2f} {median('cpu_s'):>6.2f} "
            f"{median('rss_peak_mib'):>12,.0f} {records[0]['notices']:>7,} "
            f"{records[0]['notice_lines']:>7,} {records[0]['holds']:>7,}"
        )


def main():
    args = parse_args()
    if args.summarize:
        summarize(args.summarize, args.skip)
        return
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = Registry(args.database)
    counter = QueryCounter(keep_statements=bool(args.queries))
    thread = threading.current_thread()
    thread.query_hooks = (*getattr(thread, "query_hooks", ()), counter)

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        get = env["ir.config_parameter"].get_param
        company = env["res.company"].browse(int(get(f"{PARAM}.company_id")))
        as_of = args.as_of or datetime.date.fromisoformat(get(f"{PARAM}.as_of"))
        configure(env, company)
        cr.execute(BOOK_SQL, {"c": company.id, "as_of": as_of})
        book, overdue = cr.fetchone()
    context = {"allowed_company_ids": company.ids}

    with registry.cursor() as cr:  # warm-up, untimed: access rules, caches
        env = api.Environment(cr, args.uid, context)
        for model in (
            "debtor.dunning.run",
            "debtor.dunning.notice",
            "debtor.dunning.notice.line",
            "debtor.dunning.run.hold",
            "account.move.line",
            "mail.message",
            "mail.activity",
        ):
            env[model].search_count([])
        cr.rollback()

    base = {
        "label": args.label,
        "database": args.database,
        "invoices": book,
        "overdue_lines": overdue,
        "as_of": as_of.isoformat(),
        "uid": args.uid,
    }
    statements = {}
    results = []

    def step(name, work):
        with registry.cursor() as cr:
            env = api.Environment(cr, args.uid, context)
            profiler = cProfile.Profile() if args.profile else None
            with measure(counter, args.tracemalloc) as figures:
                if profiler:
                    profiler.enable()
                run = work(env, env["res.company"].browse(company.id))
                env.flush_all()
                cr.commit()
                if profiler:
                    profiler.disable()
            if profiler:
                args.profile.mkdir(parents=True, exist_ok=True)
                profiler.dump_stats(args.profile / f"{name}.prof")
            figures.update(run_facts(cr, run.id), run_id=run.id)
        statements[name] = sorted(
            (
                [count, round(seconds, 4), text]
                for text, (count, seconds) in figures.pop("statements").items()
            ),
            reverse=True,
        )
        record = dict(base, step=name, **figures)
        record["invoices_per_s"] = book / record["wall_s"]
        record["overdue_lines_per_s"] = overdue / record["wall_s"]
        results.append(record)
        report(record)
        return run

    Escalation = "debtor.dunning.escalation"
    run = step("propose", lambda env, co: env[Escalation]._propose(co, as_of))
    step("validate", lambda env, co: _validate_run(env, run.id))

    def rerun(env, co):
        second = env[Escalation]._propose(co, as_of)
        second.action_validate()
        return second

    step("rerun", rerun)
    assert results[1]["issued"] > 0, "the validation issued no notice"
    assert results[2]["issued"] == 0, (
        f"the same-day rerun issued {results[2]['issued']}"
    )
    if args.queries:
        args.queries.write_text(json.dumps(statements, indent=1))


def _validate_run(env, run_id):
    run = env["debtor.dunning.run"].browse(run_id)
    run.action_validate()
    return run


def report(r):
    growth = f"+{r['rss_growth_mib']:.0f}" if r["peak_reset"] else "(not reset)"
    traced = (
        f", tracemalloc peak {r['tracemalloc_peak_mib']:.0f} MiB"
        if "tracemalloc_peak_mib" in r
        else ""
    )
    print(
        f"{r['step']:<9} {r['invoices']:>7,} invoices ({r['overdue_lines']:,} overdue "
        f"lines): {r['wall_s']:7.2f} s wall, {r['cpu_s']:6.2f} s CPU, "
        f"{r['queries']:>6,} queries ({r['sql_s']:.2f} s in SQL), peak RSS "
        f"{r['rss_peak_mib']:.0f} MiB {growth}{traced}; {r['invoices_per_s']:,.0f} "
        f"invoices/s, {r['overdue_lines_per_s']:,.0f} overdue lines/s; notices "
        f"{r['notices']:,} (issued {r['issued']:,}), lines {r['notice_lines']:,}, "
        f"held back {r['holds']:,}",
        flush=True,
    )
    print("JSON " + json.dumps(r, default=str), flush=True)


if __name__ == "__main__":
    main()
