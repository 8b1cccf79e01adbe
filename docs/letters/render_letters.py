# ruff: noqa: F821 (odoo-bin shell defines env)
"""Render the README's pictures of the four standard letters from the demo data.

    odoo-bin shell -c ODOO_CONF -d DB < docs/letters/render_letters.py

DB: a scratch copy of the template (the add-on with its demo data), served by an
Odoo server whose URL is in the REPORT_URL environment variable (the letters' style
sheets come from it). Four Dutch and Belgian business customers of the demo get one
notice each, at levels 1 to 4, on the next Tuesday, in English (the README's
language); each letter's first page goes to docs/letters/level-<n>.png at 100 dpi.
Nothing is committed.
"""

import os
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

from odoo import fields

OUT = Path(os.environ.get("LETTERS_DIR", "docs/letters"))
CUSTOMERS = ("nl_bakery", "nl_wholesale", "be_brewery", "nl_installer")

env["ir.config_parameter"].set_param("report.url", os.environ["REPORT_URL"])
company = env.ref("debtor_dunning.company_demo")
today = fields.Date.context_today(company)
tuesday = today + timedelta(days=(1 - today.weekday()) % 7)
service = env["debtor.dunning.escalation"].with_company(company)
for key in CUSTOMERS:
    env.ref(f"debtor_dunning.res_partner_{key}_demo").lang = "en_US"
run = service._propose(company, tuesday)
levels = run.notice_ids.policy_id.filtered(lambda p: p.default_for == "all").level_ids
for rank, key in enumerate(CUSTOMERS, start=1):
    partner = env.ref(f"debtor_dunning.res_partner_{key}_demo")
    notice = run.notice_ids.filtered(lambda n, p=partner: n.partner_id == p)
    notice.level_id = levels.filtered(lambda level, r=rank: level.rank == r)
run.notice_ids.filtered(
    lambda n: (
        n.partner_id.commercial_partner_id
        not in [env.ref(f"debtor_dunning.res_partner_{k}_demo") for k in CUSTOMERS]
    )
).action_cancel()
run.action_validate()
Report = env["ir.actions.report"]
for notice in run.notice_ids.filtered(lambda n: n.state == "issued"):
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
