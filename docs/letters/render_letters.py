# ruff: noqa: F821 (odoo-bin shell defines env)
"""Render the README's pictures of the four standard letters from the demo data.

    odoo-bin shell -c ODOO_CONF -d DB < docs/letters/render_letters.py

DB: the demo database of scripts/run (or a copy of the template), while its Odoo
server runs: the letters' style sheets come from it (web.base.url, which scripts/run
sets, or the REPORT_URL environment variable). One Dutch business customer of the
demo walks up the standard ladder, in English (the README's language): from seven
weeks before the next Tuesday, each run on the first sending day after the term of
the previous letter, it gets the payment reminder, the second reminder, the notice of
default and the final notice (the level of each notice set as a proposal allows), so
that each letter names the ones the customer received before it. Each letter's first
page goes to docs/letters/level-<n>.png at 100 dpi. Nothing is committed.
"""

import os
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

from odoo import fields

from odoo.addons.debtor_dunning.core.calendar import next_send_day

OUT = Path(os.environ.get("LETTERS_DIR", "docs/letters"))
CUSTOMER = "nl_wholesale"

if os.environ.get("REPORT_URL"):
    env["ir.config_parameter"].set_param("report.url", os.environ["REPORT_URL"])
company = env.ref("debtor_dunning.company_demo")
today = fields.Date.context_today(company)
tuesday = today + timedelta(days=(1 - today.weekday()) % 7)
service = env["debtor.dunning.escalation"].with_company(company)
customer = env.ref(f"debtor_dunning.res_partner_{CUSTOMER}_demo")
customer.lang = "en_US"
policy = env["debtor.dunning.policy"].search(
    [("company_id", "=", company.id), ("default_for", "=", "all")]
)
levels = policy.level_ids.sorted(lambda level: (level.sequence, level.id))
notices = env["debtor.dunning.notice"]
day = tuesday - timedelta(weeks=7)
for rank in range(1, 5):
    run = service._propose(company, day)
    notice = run.notice_ids.filtered(lambda n: n.partner_id == customer)
    (run.notice_ids - notice).action_cancel()
    notice.level_id = levels[rank - 1]
    run.action_validate()
    notices |= notice
    # The next letter once this one's term has passed, on a sending day.
    after = notice.pay_by_date + timedelta(days=1)
    holidays = policy._holidays((after.year, after.year + 1))
    day = next_send_day(after, policy._send_weekdays(), (), holidays)
Report = env["ir.actions.report"]
for notice in notices:
    pdf = Report._render_qweb_pdf(
        "debtor_dunning.debtor_dunning_notice_action_report", notice.ids
    )[0]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "letter.pdf")
        source.write_bytes(pdf)
        target = OUT / f"level-{notice.rank}"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "100",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(source),
                str(target),
            ],
            check=True,
        )
        print(f"{target}.png: {notice.level_id.name}, {notice.partner_id.name}")
env.cr.rollback()
