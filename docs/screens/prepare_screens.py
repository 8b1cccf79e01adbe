# ruff: noqa: F821 (odoo-bin shell defines env)
"""Prepare the demo database for the README's screenshots of the approval queue and
of the cases at the collection agency.

    odoo-bin shell -c ODOO_CONF -d DB < docs/screens/prepare_screens.py
    node docs/screens/screens.mjs http://localhost:PORT DB

First, the oldest overdue debts of three customers went to the demo's collection
agency some weeks ago (a case each, with its dossier); the agency collected part of
one. Then, as the accountant, the proposals up the ladder: the third holds notices
of default and final notices that wait for the credit manager's approval (To
Approve). Run on a copy of the demo: it commits.
"""

from datetime import timedelta

from odoo import fields

company = env.ref("debtor_dunning.company_demo")
accountant = env.ref("debtor_dunning.res_users_accountant_demo")
today = fields.Date.context_today(env["res.users"])
service = env["debtor.dunning.escalation"].with_user(accountant).with_company(company)


def propose_from(day):
    """The proposal of the first sending day from `day` that has notices."""
    for ahead in range(8):
        run = service._propose(company, day + timedelta(days=ahead))
        if run.notice_ids:
            return run
        run.sudo().unlink()
    return run


Move = env["account.move"].with_company(company)
overdue = Move.search(
    Move._dunning_open_domain()
    + [
        ("company_id", "=", company.id),
        ("invoice_date_due", "<", today - timedelta(days=60)),
        ("dunning_hold", "=", False),
    ],
    order="invoice_date_due",
)
picked = Move
for move in overdue:
    if move.commercial_partner_id not in picked.commercial_partner_id:
        picked |= move
    if len(picked) == 3:
        break
collection = env["debtor.dunning.collection"]
cases = env["debtor.dunning.handover"]
for weeks, move in zip((9, 5, 2), picked, strict=False):
    day = today - timedelta(weeks=weeks)
    move._dunning_hand_over(day)
    cases |= collection._open_cases(move, day)
cases[:1].action_in_collection()
if cases:
    collect = (
        env["debtor.dunning.handover.collect"]
        .with_context(default_handover_id=cases[:1].id)
        .create({"amount": cases[:1].amount_open / 2, "date": today})
    )
    collect.action_confirm()
print("cases", cases.mapped(lambda c: (c.name, c.partner_id.name, c.state)))

# The demo's book climbs one level per notice: the accountant validates the
# reminders and the second reminders (each after the term of the one before, weeks
# ahead), and the proposal after them holds notices of default and final notices
# that wait for the credit manager.
run = propose_from(today)
for _step in range(2):
    run.action_validate()
    run = propose_from(max(run.notice_ids.mapped("pay_by_date")) + timedelta(days=1))
print("proposal", run.name, run.notice_ids.mapped("approval_state"))

env.cr.commit()
