"""Core invoicing with or without debtor_dunning: create, post and pay N invoices.

    python benchmarks/bench_invoicing.py -c ODOO_CONF -d DB [--invoices 1000]
    python benchmarks/bench_invoicing.py --summarize RESULTS [--skip K]

DB is a copy of the add-on's template (with) or of the base database it is made from
(account and the Dutch and Belgian charts, without); the script reads which. Set-up,
untimed: a company in EUR with the generic chart and a 21 % sale tax (generate.py's),
100 customers (half companies), a service product. Then, as the admin, through the
ORM as a user would, in batches of 100 invoices, each batch committed, timed per step:

  create  account.move create: a customer invoice of two product lines
  post    action_post()
  pay     the "Register Payment" wizard on the batch, one payment per invoice

Figures as bench_escalation.py measures them; one JSON line per step (prefix "JSON ").
"""

import argparse
import datetime
import json
import re
import statistics
import threading
from collections import defaultdict
from pathlib import Path

from bench_escalation import QueryCounter, measure
from generate import setup_company

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry

BATCH = 100


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", help="Odoo configuration file")
    parser.add_argument("-d", "--database")
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--uid", type=int, default=2, help="user invoicing (admin)")
    parser.add_argument("--label", default="", help="free text copied into the JSON")
    parser.add_argument("--summarize", type=Path, metavar="RESULTS")
    parser.add_argument("--skip", type=int, default=0, help="ignore the first lines")
    args = parser.parse_args()
    if not args.summarize and not (args.config and args.database):
        parser.error("-c and -d are required")
    return args


def set_up(env, n):
    """Company, customers and product; returns their ids."""
    company, ctx = setup_company(env, n)
    env = env(context={"allowed_company_ids": company.ids})
    customers = env["res.partner"].create(
        [
            {
                "name": f"Invoicing Customer {i:04d}",
                "is_company": i % 2 == 0,
                "email": f"invoicing{i}@bench.example",
                "company_id": company.id,
            }
            for i in range(100)
        ]
    )
    product = env["product.product"].create(
        {
            "name": "Bench service",
            "type": "service",
            "list_price": 100.0,
            "taxes_id": [Command.set([ctx["tax"]])],
            "company_id": company.id,
        }
    )
    return company.id, customers.ids, product.id


def invoice_vals(i, customers, product, day):
    return {
        "move_type": "out_invoice",
        "partner_id": customers[i % len(customers)],
        "invoice_date": day,
        "invoice_line_ids": [
            Command.create(
                {"product_id": product, "quantity": 1 + i % 5, "price_unit": 80 + i}
            ),
            Command.create({"product_id": product, "quantity": 1, "price_unit": 15.5}),
        ],
    }


def main():
    args = parse_args()
    if args.summarize:
        summarize(args.summarize, args.skip)
        return
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = Registry(args.database)
    counter = QueryCounter(keep_statements=False)
    thread = threading.current_thread()
    thread.query_hooks = (*getattr(thread, "query_hooks", ()), counter)
    n = args.invoices
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        addon = bool(
            env["ir.module.module"].search_count(
                [("name", "=", "debtor_dunning"), ("state", "=", "installed")]
            )
        )
        company_id, customers, product = set_up(env, n)
        cr.commit()
    context = {"allowed_company_ids": [company_id]}
    today = datetime.datetime.now(datetime.UTC).date()
    batches = [range(i, min(i + BATCH, n)) for i in range(0, n, BATCH)]
    ids = []
    base = {
        "bench": "invoicing",
        "addon": addon,
        "label": args.label,
        "database": args.database,
        "invoices": n,
    }

    def step(name, work):
        with measure(counter, False) as figures:
            for batch in batches:
                with registry.cursor() as cr:
                    work(api.Environment(cr, args.uid, context), batch)
                    cr.commit()
        figures.pop("statements")
        record = dict(base, step=name, **figures)
        report(record)
        return record

    def create(env, batch):
        moves = env["account.move"].create(
            [invoice_vals(i, customers, product, today) for i in batch]
        )
        ids.extend(moves.ids)

    def post(env, batch):
        env["account.move"].browse(ids[batch.start : batch.stop]).action_post()

    def pay(env, batch):
        moves = env["account.move"].browse(ids[batch.start : batch.stop])
        wizard = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"group_payment": False, "payment_date": today})
        )
        wizard.action_create_payments()

    step("create", create)
    step("post", post)
    step("pay", pay)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, context)
        states = {
            state for state in env["account.move"].browse(ids).mapped("payment_state")
        }
        assert states <= {"paid", "in_payment"}, states


def report(r):
    print(
        f"{'with' if r['addon'] else 'without':<7} {r['step']:<6} {r['invoices']:,} "
        f"invoices: {r['wall_s']:7.2f} s wall, {r['cpu_s']:6.2f} s CPU, "
        f"{r['queries']:>7,} queries ({r['sql_s']:.2f} s in SQL), peak RSS "
        f"{r['rss_peak_mib']:.0f} MiB, load {r['load_1min']:.2f}",
        flush=True,
    )
    print("JSON " + json.dumps(r, default=str), flush=True)


def _rep(record):
    """The repetition a record belongs to (its label says rep=K)."""
    match = re.search(r"rep=(\d+)", record.get("label", ""))
    return match and int(match.group(1))


def _paired(with_, without, key):
    """Median over the repetitions of with / without measured one after the other."""
    by_rep = {_rep(r): r[key] for r in without}
    ratios = [r[key] / by_rep[_rep(r)] for r in with_ if by_rep.get(_rep(r))]
    return statistics.median(ratios) if ratios else float("nan")


def _groups(path, skip):
    """Records per (N, with the add-on, step), plus each repetition's total."""
    groups = defaultdict(list)
    for line in path.read_text().splitlines()[skip:]:
        r = json.loads(line) if line.strip() else {}
        if r.get("bench") == "invoicing":
            groups[r["invoices"], r["addon"], r["step"]].append(r)
    totals = defaultdict(lambda: defaultdict(float))
    for (n, addon, _step), records in groups.items():
        for r in records:
            for key in ("wall_s", "cpu_s", "queries"):
                totals[n, addon, r["label"]][key] += r[key]
    for (n, addon, label), total in totals.items():
        groups[n, addon, "total"].append(dict(total, label=label))
    return groups


def summarize(path, skip):
    """Medians with and without the add-on, and their ratio, per step and in all."""
    groups = _groups(path, skip)
    print(
        f"{'N':>6} {'step':<6} {'reps':>5} | {'wall s with/without':>20} {'ratio':>6} "
        f"{'paired':>6} | {'CPU s with/without':>19} {'ratio':>6} {'paired':>6} | "
        f"{'queries with/without':>21} {'ratio':>6}"
    )
    for n in sorted({key[0] for key in groups}):
        for name in ("create", "post", "pay", "total"):
            a, b = groups.get((n, True, name), []), groups.get((n, False, name), [])
            if not a or not b:
                continue
            cells = []
            for key, fmt in (("wall_s", ".2f"), ("cpu_s", ".2f"), ("queries", ",.0f")):
                x = statistics.median(r[key] for r in a)
                y = statistics.median(r[key] for r in b)
                pair = f"{format(x, fmt)} / {format(y, fmt)}"
                cell = f"{pair:>20} {x / y:>6.3f}"
                if key != "queries":
                    cell += f" {_paired(a, b, key):>6.3f}"
                cells.append(cell)
            print(f"{n:>6,} {name:<6} {len(a)}/{len(b):<3} | " + " | ".join(cells))
    loads = [r["load_1min"] for k, rs in groups.items() if k[2] != "total" for r in rs]
    if loads:
        print(
            f"(medians; paired: median of the ratios of the repetitions, with and "
            f"without measured one after the other; load average during the steps "
            f"{statistics.median(loads):.2f})"
        )


if __name__ == "__main__":
    main()
