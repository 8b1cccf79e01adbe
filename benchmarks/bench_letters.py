"""Render the letters of one dunning run and print letters per second.

    python benchmarks/bench_letters.py -c ODOO_CONF -d DB [--letters 100]
        [--report-url URL] [--each] [--days-overdue 40]
        [--send [--senders 2] [--attach-invoices [--invoices-sent]] [--queries]]

DB is a copy of the template (the add-on with its demo data). In the demo company
the script makes LETTERS business customers with one overdue invoice each and one
run that issues a notice to each of them (committed). Then it renders all letters of
the run as one PDF, in one wkhtmltopdf call, as "Print Letters" does; --each also
renders them one by one, as the e-mails do. wkhtmltopdf loads the report's style
sheets from REPORT_URL: an Odoo server on DB (run_letters.sh starts one). Prints
seconds and letters per second, and one JSON line per measurement (prefix "JSON ").

--send queues the run's e-mails as "Send" does and times the background sender
(debtor.dunning.sending._cron_send, called as the cron calls it, committing after
each batch) against a local SMTP sink (debtor_dunning/tests/smtp_sink.py): notices
per second from "Send" to the last accepted e-mail, and queries per batch.
--senders N runs N cron workers at once (threads, each its own cursor).
--invoices-sent gives each invoice the PDF Odoo keeps when an invoice is sent (made
before the clock starts), which the e-mails attach as it is; without it the invoices
were never sent and their copies are rendered. --queries prints each batch's
statements grouped by their text (the 25 most frequent).
"""

import argparse
import collections
import datetime
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry

LETTER_REPORT = "debtor_dunning.debtor_dunning_notice_action_report"
WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--letters", type=int, default=100, help="letters in the run")
    parser.add_argument(
        "--days-overdue",
        type=int,
        default=40,
        help="how late the invoices are (40: notices of default, with costs)",
    )
    parser.add_argument(
        "--report-url",
        help="URL of an Odoo server on DB, for the letters' style sheets",
    )
    parser.add_argument(
        "--each", action="store_true", help="also render the letters one by one"
    )
    parser.add_argument(
        "--send", action="store_true", help="time the background e-mail sender"
    )
    parser.add_argument("--senders", type=int, default=1, help="cron workers at once")
    parser.add_argument(
        "--attach-invoices",
        action="store_true",
        help="the level attaches a PDF of every invoice to its e-mail",
    )
    parser.add_argument(
        "--invoices-sent",
        action="store_true",
        help="the invoices keep the PDF they were sent with (reused as it is)",
    )
    parser.add_argument(
        "--queries",
        action="store_true",
        help="print each batch's statements grouped by text",
    )
    return parser.parse_args()


def make_run(env, letters, days_overdue):
    """A validated run with one notice for each of `letters` new customers."""
    company = env.ref("debtor_dunning.company_demo")
    env = env(context=dict(env.context, allowed_company_ids=company.ids))
    today = fields.Date.context_today(env.user)
    policies = env["debtor.dunning.policy"].search([("company_id", "=", company.id)])
    policies.write(
        {
            "mode": "auto",
            "min_interval_days": 0,
            **{f"send_{day}": True for day in WEEKDAYS},
        }
    )
    customers = env["res.partner"].create(
        [
            {
                "name": f"Bench Customer {i:04d} B.V.",
                "is_company": True,
                "lang": ("nl_NL", "nl_BE", "fr_BE", "en_US")[i % 4],
                "street": f"Dorpsstraat {i}",
                "zip": f"{1000 + i}",
                "city": "Amsterdam",
                "country_id": env.ref("base.nl").id,
                "email": f"bench{i}@letters.example",
            }
            for i in range(letters)
        ]
    )
    due = today - datetime.timedelta(days=days_overdue)
    invoices = (
        env["account.move"]
        .with_context(mail_create_nolog=True, tracking_disable=True)
        .create(
            [
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "partner_id": customer.id,
                    "invoice_date": due,
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Goods and services as agreed",
                                "price_unit": 100.0 + i,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
                for i, customer in enumerate(customers)
            ]
        )
    )
    invoices.action_post()
    run = env["debtor.dunning.escalation"]._propose(company, today)
    run.action_validate()
    notices = run.notice_ids.filtered(
        lambda n: n.state == "issued" and n.partner_id in customers
    )
    assert len(notices) == letters, f"{len(notices)} notices issued, not {letters}"
    return notices


def drop_kept_letters(env, notices):
    env["ir.attachment"].search(
        [("res_model", "=", notices._name), ("res_id", "in", notices.ids)]
    ).unlink()


def pages(pdf):
    out = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=False
    ).stdout.decode()
    return next(
        (
            int(line.split()[-1])
            for line in out.splitlines()
            if line.startswith("Pages:")
        ),
        None,
    )


def report(step, letters, seconds, extra=None):
    result = {
        "step": step,
        "letters": letters,
        "seconds": round(seconds, 3),
        "letters_per_s": round(letters / seconds, 2),
        **(extra or {}),
    }
    print(
        f"{step:<10} {letters} letters in {seconds:.2f} s: "
        f"{result['letters_per_s']:.2f} letters/s"
    )
    print("JSON " + json.dumps(result))


SINK = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..",
    "debtor_dunning",
    "tests",
    "smtp_sink.py",
)


def start_sink():
    """The project's SMTP sink in a process of its own: (port, folder, process)."""
    folder = tempfile.mkdtemp(prefix="dunning-bench-smtp-")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, SINK, str(port), folder])  # noqa: S603
    for _attempt in range(500):
        if os.path.exists(os.path.join(folder, "ready")):
            break
        time.sleep(0.02)
    return port, folder, process


def cpu_seconds():
    """CPU seconds of this process and its finished children (wkhtmltopdf)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def keep_invoice_pdfs(env, notices):
    """Each invoice of `notices` keeps a PDF, as when it was sent (Odoo 18/19)."""
    moves = notices.line_ids.move_id
    pdfs = env["debtor.dunning.rendering"]._invoice_pdfs(moves)
    env["ir.attachment"].create(
        [
            {
                "name": name,
                "raw": pdf,
                "res_model": "account.move",
                "res_id": move_id,
                "res_field": "invoice_pdf_report_file",
            }
            for move_id, (name, pdf) in pdfs.items()
        ]
    )
    moves.invalidate_recordset(["invoice_pdf_report_id"])


def log_queries(cr):
    """Count the statements `cr` executes by their text: the Counter."""
    seen = collections.Counter()
    execute = cr.execute

    def counted(query, params=None, log_exceptions=True):
        text = str(getattr(query, "code", query))
        seen[" ".join(text.split())[:140]] += 1
        return execute(query, params, log_exceptions)

    cr.execute = counted
    return seen


def sender(registry, counts):
    """One cron worker: _cron_send batches, a commit after each, until none left."""
    if os.environ.get("BENCH_PROFILE"):
        import cProfile  # noqa: PLC0415
        import pstats  # noqa: PLC0415

        profile = cProfile.Profile()
        profile.enable()
        try:
            _sender(registry, counts)
        finally:
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        return
    _sender(registry, counts)


def _sender(registry, counts):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Sending = env["debtor.dunning.sending"]
        seen = log_queries(cr) if os.environ.get("BENCH_QUERIES") else None
        while True:
            before = cr.sql_log_count
            claimed = Sending._cron_send()
            cr.commit()
            if seen is not None and claimed:
                print(f"QUERIES batch of {len(claimed)}: {sum(seen.values())}")
                for text, count in seen.most_common(25):
                    print(f"QUERIES {count:5d} {text}")
                seen.clear()
            if not claimed:
                if os.environ.get("BENCH_DEBUG"):
                    cr.execute(
                        "SELECT count(*), min(id), max(id) FROM debtor_dunning_notice"
                        " WHERE email_state = 'queued'"
                    )
                    print("DEBUG queued left:", cr.fetchall())
                    cr.execute(
                        "SELECT pid, state, left(query, 120) FROM pg_stat_activity"
                        " WHERE datname = current_database()"
                    )
                    print("DEBUG activity:", cr.fetchall())
                return
            counts.append((len(claimed), cr.sql_log_count - before))


def bench_send(registry, env, notices, senders, attach_invoices, invoices_sent):
    """Queue the notices' e-mails as "Send" does, then run the background sender."""
    port, folder, process = start_sink()
    try:
        env["ir.mail_server"].search([]).active = False
        env["ir.mail_server"].create(
            {
                "name": "bench SMTP sink",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_encryption": "none",
            }
        )
        notices.level_id.attach_invoices = attach_invoices
        if invoices_sent:
            keep_invoice_pdfs(env, notices)
        # Only the bench's workers send: an Odoo server with cron threads on this
        # PostgreSQL (any database) would otherwise take batches too.
        env.ref("debtor_dunning.ir_cron_dunning_send").active = False
        # A running server has its templates compiled: so has the bench (one of
        # each language, nothing kept).
        warm = notices.browse(
            {n.partner_id.lang: n.id for n in notices}.values()
        ).with_context(report_pdf_no_attachment=True)
        env["ir.actions.report"]._render_qweb_html(LETTER_REPORT, warm.ids)
        env.ref("debtor_dunning.mail_template_dunning_notice")._render_field(
            "body_html", warm.ids
        )
        env.cr.commit()
        cpu = cpu_seconds()
        started = time.perf_counter()
        notices.action_send()
        env.cr.commit()
        counts = []
        threads = [
            threading.Thread(target=sender, args=(registry, counts))
            for _worker in range(senders)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu
        env.invalidate_all()
        states = {}
        for state in notices.mapped("email_state"):
            states[state] = states.get(state, 0) + 1
        accepted = len([n for n in os.listdir(folder) if n.endswith(".eml")])
        batches = sorted(counts)
        report(
            f"send x{senders}",
            len(notices),
            seconds,
            {
                "senders": senders,
                "attach_invoices": attach_invoices,
                "invoices_sent": invoices_sent,
                "load_average": [round(load, 2) for load in os.getloadavg()],
                "cpu_seconds": round(cpu, 2),
                "states": states,
                "accepted_by_smtp": accepted,
                "batches": len(batches),
                "queries_per_batch": [q for _n, q in batches[-3:]],
                "notices_per_batch": [n for n, _q in batches[-3:]],
            },
        )
        print(
            f"           states {states}, {accepted} accepted by the SMTP sink, "
            f"{cpu:.1f} CPU s (Odoo + wkhtmltopdf; PostgreSQL not counted)"
        )
    finally:
        process.terminate()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def main():
    args = parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if args.report_url:
            env["ir.config_parameter"].set_param("report.url", args.report_url)
        started = time.perf_counter()
        notices = make_run(env, args.letters, args.days_overdue)
        cr.commit()
        print(
            f"data: {args.letters} customers, invoices and notices in "
            f"{time.perf_counter() - started:.1f} s"
        )
        Report = env["ir.actions.report"]
        drop_kept_letters(env, notices)
        if args.send:
            cr.commit()  # no letter kept: the sender renders them
            if args.queries:
                os.environ["BENCH_QUERIES"] = "1"
            bench_send(
                registry,
                env,
                notices,
                args.senders,
                args.attach_invoices,
                args.invoices_sent,
            )
            return
        started = time.perf_counter()
        pdf, _kind = Report._render_qweb_pdf(LETTER_REPORT, notices.ids)
        report(
            "one_call",
            len(notices),
            time.perf_counter() - started,
            {"pages": pages(pdf), "bytes": len(pdf)},
        )
        if args.each:
            drop_kept_letters(env, notices)
            started = time.perf_counter()
            for notice in notices:
                Report._render_qweb_pdf(LETTER_REPORT, notice.ids)
            report("each", len(notices), time.perf_counter() - started)
        cr.rollback()


if __name__ == "__main__":
    main()
