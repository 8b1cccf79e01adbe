"""One dunning engine on a benchmark book: ours or OCA's account_credit_control.

    python benchmarks/bench_peer.py -c ODOO_CONF -d DB --engine ours|oca [--digest F]
    python benchmarks/bench_peer.py --compare OURS_DIGEST OCA_DIGEST
    python benchmarks/bench_peer.py --summarize RESULTS [--skip K]

DB is a copy of a book made by generate.py (run_peer.sh makes the copies); for
`--engine oca` one with account_credit_control installed. Both engines get the same
ladder on the same receivable lines, configured before the timing:

  ours  the company's default policy as bench_escalation.py sets it: the standard
        ladder (7, 21, 35, 60 days after the due date), automatic, every day a
        sending day, no grace, minimum amount, interval or review;
  oca   a policy on the company's receivable accounts with four levels, "Due Date"
        (net_days) 7, 21, 35 and 60 days, e-mail channel, set as the company's
        policy; tolerance 0.01 (OCA skips open amounts below it, ours those <= 0).

Three steps, each in its own transaction, committed inside the timing, as the admin:

  step      ours                                  oca
  propose   _propose(company, as_of)              run.generate_credit_lines()
  validate  run.action_validate()                 run.set_to_ready_lines()
  rerun     _propose + action_validate, same day  a second run + set_to_ready_lines

"validate" of OCA is its run's "Set to ready all" button: draft lines become "To
Do", the state OCA's channel actions then send from; ours issues the notices (levels,
channel states, costs and interest frozen), it does not send either.

--analyze runs ANALYZE on the database before each step, untimed: what autovacuum
does a minute after a bulk write on a default PostgreSQL (this machine's server runs
without autovacuum). Without it OCA's level query plans against an empty
credit_control_line and its rerun takes minutes (../shared/research/perf-anchor.md).

--digest writes what the first step selected, one "move line id, level" per line,
with its checks against an independent SQL reading of the book; --compare checks
that both engines selected the same receivable lines. Figures as bench_escalation.py
measures them; one JSON line per step goes to stdout (prefix "JSON ").
"""

import argparse
import datetime
import hashlib
import json
import re
import statistics
import sys
import threading
from collections import Counter, defaultdict
from pathlib import Path

from bench_escalation import PARAM, STANDARD_WAITS, QueryCounter, configure, measure

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry


# ------------------------------------------------- debtor_dunning's entry points
def ours(env, company, as_of, run=None):
    """Our engine, called as its service is named today (the one place to update when
    the refactoring renames it): without `run`, the proposal on `as_of`; with a
    proposal, its validation."""
    if run is None:
        return env["debtor.dunning.escalation"]._propose(company, as_of)
    run.action_validate()
    return run


OURS_SELECTED_SQL = """
SELECT l.move_line_id, lvl.rank
  FROM debtor_dunning_notice_line l
  JOIN debtor_dunning_notice n ON n.id = l.notice_id
  JOIN debtor_dunning_level lvl ON lvl.id = l.level_id
 WHERE n.run_id = %s
"""
OURS_COUNTS_SQL = """
SELECT (SELECT count(*) FROM debtor_dunning_notice WHERE run_id = %(run)s),
       (SELECT count(*) FROM debtor_dunning_notice
         WHERE run_id = %(run)s AND state = 'issued'),
       (SELECT count(*) FROM debtor_dunning_notice_line l
          JOIN debtor_dunning_notice n ON n.id = l.notice_id WHERE n.run_id = %(run)s)
"""


# ------------------------------------------------------------ OCA's add-on
OCA_SELECTED_SQL = (
    "SELECT move_line_id, level FROM credit_control_line WHERE run_id = %s"
)
OCA_COUNTS_SQL = """
SELECT count(*), count(*) FILTER (WHERE state = 'to_be_sent'),
       count(*) FILTER (WHERE state = 'ignored')
  FROM credit_control_line WHERE run_id = %(run)s
"""


def configure_oca(env, company):
    """OCA's policy with our standard ladder, on the company's receivable accounts."""
    ours_levels = (
        env["debtor.dunning.level"]
        .search([("policy_id.company_id", "=", company.id)])
        .sorted(lambda level: (level.policy_id.id, level.sequence, level.id))
    )
    names = ours_levels[: len(STANDARD_WAITS)].mapped("name")
    receivables = env["account.account"].search(
        [("company_ids", "in", company.id), ("account_type", "=", "asset_receivable")]
    )
    template = env.ref("account_credit_control.email_template_credit_control_base")
    policy = env["credit.control.policy"].create(
        {
            "name": "Bench ladder (7, 21, 35, 60 days)",
            "company_id": company.id,
            "account_ids": [Command.set(receivables.ids)],
            "level_ids": [
                Command.create(
                    {
                        "name": name,
                        "level": rank,
                        "computation_mode": "net_days",
                        "delay_days": wait,
                        "channel": "email",
                        "email_template_id": template.id,
                        "custom_text": name,
                        "custom_mail_text": f"<p>{name}</p>",
                    }
                )
                for rank, (name, wait) in enumerate(
                    zip(names, STANDARD_WAITS, strict=True), start=1
                )
            ],
        }
    )
    company.write({"credit_policy_id": policy.id, "credit_control_tolerance": 0.01})
    return policy


def oca(env, company, as_of, policy, run=None):
    """OCA's engine: without `run` a new run on `as_of` computes its credit lines;
    with one, its draft lines are set to "To Do" ("Set to ready all")."""
    if run is None:
        run = env["credit.control.run"].create(
            {
                "date": as_of,
                "company_id": company.id,
                "policy_ids": [Command.set(policy.ids)],
            }
        )
        run.generate_credit_lines()
        return run
    run.set_to_ready_lines()
    return run


# ------------------------------------------------------------ the same book
# What both ladders must select on a book without dunning history: every open
# receivable debit of a posted customer invoice at least 7 days past due, with the
# level its age reaches (ours: it goes there at once) .
ORACLE_SQL = """
SELECT aml.id, (as_of - aml.date_maturity >= 7)::int
               + (as_of - aml.date_maturity >= 21)::int
               + (as_of - aml.date_maturity >= 35)::int
               + (as_of - aml.date_maturity >= 60)::int
  FROM account_move_line aml
  JOIN account_move m ON m.id = aml.move_id
  JOIN account_account acc ON acc.id = aml.account_id,
       (SELECT %(as_of)s::date AS as_of) d
 WHERE aml.company_id = %(company)s AND aml.parent_state = 'posted'
   AND acc.account_type = 'asset_receivable' AND NOT aml.reconciled
   AND aml.amount_residual > 0 AND m.move_type = 'out_invoice'
   AND aml.partner_id IS NOT NULL
   AND aml.date_maturity <= as_of - 7
"""

BOOK_SQL = """
SELECT (SELECT count(*) FROM account_move
         WHERE company_id = %(company)s AND move_type = 'out_invoice'
           AND state = 'posted')
"""


def digest(pairs):
    """sha1 of the sorted "id,level" lines (12 hex digits)."""
    text = "\n".join(f"{line},{level}" for line, level in sorted(pairs))
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def check_selection(engine, selected, oracle):
    """The first run's selection against the oracle; the facts for the digest file.

    ours must select each line at the level its age reaches. OCA, with no earlier
    credit line, puts every line on its first level: a level above 1 needs a line of
    the level below that is no longer draft (credit.control.policy.level.
    _get_sql_level_part), so it climbs one level per run. That is a difference of
    definition, not of configuration: the levels are checked against each engine's
    rule, the selected lines must be the same.
    """
    first_level = {(line, 1) for line, _level in oracle}
    expected = set(oracle) if engine == "ours" else first_level
    facts = {
        "engine": engine,
        "lines": len(selected),
        "lines_sha1": digest((line, 0) for line, _level in selected),
        "pairs_sha1": digest(selected),
        "levels": dict(sorted(Counter(level for _line, level in selected).items())),
        "oracle_lines": len(oracle),
        "oracle_pairs_sha1": digest(oracle),
        "as_rule": set(selected) == expected,
        "age_levels": set(selected) == set(oracle),
        "first_level": set(selected) == first_level,
    }
    return facts


def compare(ours_file, oca_file):
    """Both engines selected the same lines: print both digests, exit 1 if not."""
    files = {"ours": ours_file, "oca": oca_file}
    data = {name: json.loads(path.read_text()) for name, path in files.items()}
    for name, d in data.items():
        at_age = d["pairs_sha1"] == d["oracle_pairs_sha1"]
        rule = "at the levels of their age" if at_age else "not all at their age's"
        print(
            f"digest {name:<4}: {d['lines']:,} lines (sha1 {d['lines_sha1']}), "
            f"(line, level) sha1 {d['pairs_sha1']}, levels {d['levels']}; "
            f"oracle {d['oracle_lines']:,} lines, (line, age level) sha1 "
            f"{d['oracle_pairs_sha1']}: {rule}"
        )
    a, b = ({tuple(p) for p in data[n]["selected"]} for n in ("ours", "oca"))
    lines_a, lines_b = {line for line, _ in a}, {line for line, _ in b}
    problems = []
    if lines_a != lines_b:
        problems.append(
            f"the engines selected different lines: {len(lines_a - lines_b)} only "
            f"ours (e.g. {sorted(lines_a - lines_b)[:5]}), {len(lines_b - lines_a)} "
            f"only OCA (e.g. {sorted(lines_b - lines_a)[:5]})"
        )
    if not data["oca"]["as_rule"]:
        problems.append("OCA did not put every line on its first level")
    ours_climbs = a == b  # ours, too, climbs one level per run: the same pairs
    if ours_climbs:
        print("digest: the same (line, level) pairs: both engines climb one level")
    elif data["ours"]["pairs_sha1"] != data["ours"]["oracle_pairs_sha1"]:
        problems.append("ours selected levels that are neither its age's nor OCA's")
    fixpoint = data["oca"].get("fixpoint_pairs_sha1")
    if fixpoint:
        same = fixpoint == data["ours"]["pairs_sha1"]
        print(
            f"digest oca after {data['oca']['fixpoint_runs']} runs on the same day: "
            f"(line, level) sha1 {fixpoint}, levels {data['oca']['fixpoint_levels']}: "
            + ("the same as ours after its first run" if same else "not ours")
        )
        if not same and not ours_climbs:
            problems.append("OCA's levels after its same-day runs are not ours")
    if problems:
        print("DIGEST MISMATCH: " + "; ".join(problems), file=sys.stderr)
        sys.exit(1)
    levels = (
        "both on level 1 (one level per run)"
        if ours_climbs
        else "ours the level each line's age reaches, OCA level 1 (one level per run)"
    )
    print(
        f"digest: same {len(lines_a):,} receivable lines selected by both engines; "
        f"levels: {levels}"
    )


# ------------------------------------------------------------ measuring
def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", help="Odoo configuration file")
    parser.add_argument("-d", "--database")
    parser.add_argument("--engine", choices=("ours", "oca"))
    parser.add_argument("--uid", type=int, default=2, help="user running it (admin)")
    parser.add_argument("--label", default="", help="free text copied into the JSON")
    parser.add_argument(
        "--digest", type=Path, help="write the first step's selection to this JSON"
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="ANALYZE the database before each step, untimed (autovacuum's part)",
    )
    parser.add_argument(
        "--fixpoint",
        action="store_true",
        help="oca with --digest: afterwards, untimed, run OCA again on the same day "
        "until it adds nothing, and record the levels the lines then stand at",
    )
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("OURS", "OCA"))
    parser.add_argument("--summarize", type=Path, metavar="RESULTS")
    parser.add_argument("--skip", type=int, default=0, help="ignore the first lines")
    args = parser.parse_args()
    if not (args.compare or args.summarize) and not (
        args.config and args.database and args.engine
    ):
        parser.error("-c, -d and --engine are required")
    return args


def main():
    args = parse_args()
    if args.compare:
        compare(*args.compare)
        return
    if args.summarize:
        summarize(args.summarize, args.skip)
        return
    measure_engine(args)


def prepare(registry, args):
    """Configure the engine (untimed); the book's facts and the oracle's selection."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        get = env["ir.config_parameter"].get_param
        company = env["res.company"].browse(int(get(f"{PARAM}.company_id")))
        as_of = datetime.date.fromisoformat(get(f"{PARAM}.as_of"))
        configure(env, company)  # ours: in both databases, harmless for OCA's
        policy_id = None
        if args.engine == "oca":
            policy_id = configure_oca(env, company).id
        cr.execute(BOOK_SQL, {"company": company.id})
        (book,) = cr.fetchone()
        cr.execute(ORACLE_SQL, {"company": company.id, "as_of": as_of})
        oracle = cr.fetchall()
    context = {"allowed_company_ids": company.ids}
    models = ["account.move.line", "mail.message", "mail.followers"]
    if args.engine == "ours":
        models += ["debtor.dunning.run", "debtor.dunning.notice"]
    else:
        models += ["credit.control.run", "credit.control.line"]
    with registry.cursor() as cr:  # warm-up, untimed: access rules, caches
        env = api.Environment(cr, args.uid, context)
        for model in models:
            env[model].search_count([])
        cr.rollback()
    return company, as_of, policy_id, book, oracle, context


def measure_engine(args):
    """The three steps of one engine, measured; the digest of its first run."""
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = Registry(args.database)
    counter = QueryCounter(keep_statements=False)
    thread = threading.current_thread()
    thread.query_hooks = (*getattr(thread, "query_hooks", ()), counter)
    company, as_of, policy_id, book, oracle, context = prepare(registry, args)

    def call(env, run=None):
        co = env["res.company"].browse(company.id)
        if args.engine == "ours":
            return ours(env, co, as_of, run)
        policy = env["credit.control.policy"].browse(policy_id)
        return oca(env, co, as_of, policy, run)

    selected_sql, counts_sql = {
        "ours": (OURS_SELECTED_SQL, OURS_COUNTS_SQL),
        "oca": (OCA_SELECTED_SQL, OCA_COUNTS_SQL),
    }[args.engine]
    base = {
        "bench": "peer",
        "engine": args.engine,
        "label": args.label,
        "database": args.database,
        "invoices": book,
        "overdue_lines": len(oracle),
        "as_of": as_of.isoformat(),
        "uid": args.uid,
        "analyzed": args.analyze,
    }
    results = []

    def step(name, work):
        if args.analyze:  # untimed: what autovacuum does after a bulk write
            with registry.cursor() as cr:
                cr.execute("ANALYZE")
        with registry.cursor() as cr:
            env = api.Environment(cr, args.uid, context)
            with measure(counter, False) as figures:
                run = work(env)
                env.flush_all()
                cr.commit()
            figures.pop("statements")
            cr.execute(selected_sql, [run.id])
            selected = cr.fetchall()
            cr.execute(counts_sql, {"run": run.id})
            counts = cr.fetchone()
        record = dict(base, step=name, run_id=run.id, **figures)
        record.update(
            lines=len(selected),
            levels=dict(sorted(Counter(lvl for _l, lvl in selected).items())),
            counts=list(counts),
        )
        results.append(record)
        report(record)
        return run, selected

    run, selected = step("propose", call)
    if args.digest:
        facts = check_selection(args.engine, selected, oracle)
        facts["selected"] = sorted(selected)
        args.digest.write_text(json.dumps(facts))
    step("validate", lambda env: call(env, env[run._name].browse(run.id)))

    def rerun(env):
        second = call(env)
        return call(env, second)

    step("rerun", rerun)
    if args.digest and args.fixpoint and args.engine == "oca":
        with registry.cursor() as cr:
            env = api.Environment(cr, args.uid, context)
            facts.update(oca_fixpoint(env, call, company.id))
        args.digest.write_text(json.dumps(facts))


def oca_fixpoint(env, call, company_id, most=10):
    """Untimed: OCA's runs again on the same day until one adds no line.

    Each run raises by one level the lines whose latest line is no longer draft and
    whose age reaches the next level (net_days counts from the due date, so nothing
    stops a second run on the same day). Returns the level each line then stands at:
    it must be the level its age reaches, which ours gives in one run.
    """
    runs = 2  # the measured first run and rerun
    while runs < most:
        run = call(env)
        call(env, run)
        env.cr.commit()
        runs += 1
        if not run.line_ids:
            break
    env.cr.execute(
        """SELECT move_line_id, MAX(level) FROM credit_control_line
            WHERE company_id = %s AND state <> 'ignored' GROUP BY move_line_id""",
        [company_id],
    )
    pairs = env.cr.fetchall()
    return {
        "fixpoint_runs": runs,
        "fixpoint_pairs_sha1": digest(pairs),
        "fixpoint_levels": dict(sorted(Counter(level for _l, level in pairs).items())),
    }


def report(r):
    print(
        f"{r['engine']:<4} {r['step']:<9} {r['invoices']:>7,} invoices: "
        f"{r['wall_s']:7.2f} s wall, {r['cpu_s']:6.2f} s CPU, {r['queries']:>7,} "
        f"queries ({r['sql_s']:.2f} s in SQL), peak RSS {r['rss_peak_mib']:.0f} MiB "
        f"(+{r['rss_growth_mib']:.0f}), load {r['load_1min']:.2f}; lines "
        f"{r['lines']:,} {r['levels']}, counts {r['counts']}",
        flush=True,
    )
    print("JSON " + json.dumps(r, default=str), flush=True)


# ------------------------------------------------------------ the table
FIGURES = ("wall_s", "cpu_s", "queries", "rss_peak_mib")


def _combined(records):
    """Per repetition: propose + validate (sums; peak RSS: the larger)."""
    by_rep = defaultdict(dict)
    for r in records:
        by_rep[r["label"], r["database"], r["run_key"]][r["step"]] = r
    combined = []
    for steps in by_rep.values():
        if "propose" in steps and "validate" in steps:
            p, v = steps["propose"], steps["validate"]
            c = {k: p[k] + v[k] for k in ("wall_s", "cpu_s", "queries", "sql_s")}
            c["rss_peak_mib"] = max(p["rss_peak_mib"], v["rss_peak_mib"])
            c["lines"], c["load_1min"], c["label"] = (
                p["lines"],
                p["load_1min"],
                p["label"],
            )
            combined.append(c)
    return combined


def _rep(record):
    """The repetition a record belongs to (its label says rep=K)."""
    match = re.search(r"rep=(\d+)", record.get("label", ""))
    return match and int(match.group(1))


def _paired(ours_records, oca_records, key):
    """Median over the repetitions of ours / OCA, measured one after the other."""
    by_rep = {_rep(r): r[key] for r in oca_records}
    ratios = [r[key] / by_rep[_rep(r)] for r in ours_records if by_rep.get(_rep(r))]
    return statistics.median(ratios) if ratios else None


def summarize(path, skip):
    """Medians per (N, engine, step) and the ratios ours/OCA of a results file."""
    groups = defaultdict(list)
    for line in path.read_text().splitlines()[skip:]:
        r = json.loads(line) if line.strip() else {}
        if r.get("bench") != "peer":
            continue
        # the three steps of one invocation share its label (N, repetition, engine)
        r["run_key"] = r["label"]
        groups[r["invoices"], r["engine"], r["step"]].append(r)
    for n, engine in sorted({key[:2] for key in groups}):
        records = groups[n, engine, "propose"] + groups[n, engine, "validate"]
        groups[n, engine, "propose+validate"] = _combined(records)

    def med(records, key):
        return statistics.median(r[key] for r in records) if records else None

    steps = ("propose", "validate", "propose+validate", "rerun")
    print(
        f"{'N':>8} {'step':<17} {'reps':>4} | {'wall s':>15} | {'CPU s':>15} | "
        f"{'queries':>17} | {'peak RSS MiB':>11} | {'lines':>13} | ratios ours/OCA: "
        "wall CPU queries RSS | paired: wall CPU"
    )
    for n in sorted({k[0] for k in groups}):
        for name in steps:
            a, b = groups.get((n, "ours", name), []), groups.get((n, "oca", name), [])
            if not a and not b:
                continue

            def pair(key, fmt, a=a, b=b):
                x, y = med(a, key), med(b, key)
                left = format(x, fmt) if x is not None else "-"
                right = format(y, fmt) if y is not None else "-"
                return f"{left} / {right}"

            ratios = []
            for key in FIGURES:
                x, y = med(a, key), med(b, key)
                ratios.append(f"{x / y:.3g}" if x is not None and y else "-")
            paired = [_paired(a, b, key) for key in ("wall_s", "cpu_s")]
            paired = " ".join(f"{x:.3g}" if x else "-" for x in paired)
            load = med(a + b, "load_1min")
            print(
                f"{n:>8,} {name:<17} {len(a)}/{len(b)} | {pair('wall_s', '.2f'):>15} "
                f"| {pair('cpu_s', '.2f'):>15} | {pair('queries', ',.0f'):>17} | "
                f"{pair('rss_peak_mib', '.0f'):>11} | {pair('lines', ',.0f'):>13} | "
                f"{' '.join(ratios)} | {paired}   (load {load:.2f})"
            )
    print(
        "(ours / OCA medians; paired: median of the ratios of the repetitions, ours "
        "and OCA measured one after the other; lines: receivable lines in the step's "
        "run; load: median 1-minute load average at the steps' start)"
    )


if __name__ == "__main__":
    main()
