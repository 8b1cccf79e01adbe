from datetime import date, timedelta

import freezegun

from odoo import Command, fields
from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged
from odoo.tests.common import HOST
from odoo.tools import config

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .. import compat

# Every test runs on a fixed day, never on the wall clock: a Tuesday (a sending day of
# the standard policy), no public holiday in NL or BE. Noon, so that no time zone moves
# it to another date.
TUESDAY = date(2026, 11, 24)


def noon(day):
    """`day` at noon, as freeze_time takes it."""
    return f"{fields.Date.to_string(day)} 12:00:00"


def serve_letter_assets(env):
    """Letters rendered in a test load their style sheets from the test HTTP server.

    wkhtmltopdf fetches them from report.url (else web.base.url, which names no
    running server in a test): a letter rendered without them is refused. The tests
    run with Odoo's HTTP server (pytest-odoo --odoo-http, or Odoo's test runner).
    """
    env["ir.config_parameter"].sudo().set_param(
        "report.url", f"http://{HOST}:{config['http_port']}"
    )


@tagged("post_install", "-at_install")
@freeze_time(noon(TUESDAY))
class DunningCommon(AccountTestInvoicingCommon):
    """A company with the standard ladder (7/21/35/60 days), users and helpers.

    The clock stands still on TUESDAY (Odoo's class-level freeze_time: the
    decorator, which 18.0 and 19.0 both read; the class attribute differs).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        company = cls.company
        # The accountant running the tests is also the dunning manager.
        cls.env.user.write(
            {
                compat.USER_GROUPS: [
                    Command.link(
                        cls.env.ref("debtor_dunning.debtor_dunning_group_manager").id
                    )
                ]
            }
        )
        cls.dunning_user = new_test_user(
            cls.env,
            login="dunning_user",
            groups="base.group_user,debtor_dunning.debtor_dunning_group_user",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.dunning_manager = new_test_user(
            cls.env,
            login="dunning_manager",
            groups="base.group_user,debtor_dunning.debtor_dunning_group_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        Policy = cls.env["debtor.dunning.policy"]
        cls.policy = Policy.search([("company_id", "=", company.id)], limit=1)
        cls.policy = cls.policy or Policy._create_default(company)
        cls.policy.write(
            {
                "mode": "auto",
                "min_interval_days": 0,
                "send_monday": True,
                "send_friday": True,
                "send_saturday": True,
                "send_sunday": True,
            }
        )
        cls.levels = cls.policy.level_ids.sorted("sequence")
        cls.levels.needs_review = False
        # Four eyes on legal steps (test_approval.py) and registered mail
        # (test_registered.py) are tested on their own.
        Policy.search([("company_id", "=", company.id)]).level_ids.write(
            {"requires_approval": False, "registered_mail": False}
        )
        serve_letter_assets(cls.env)
        cls.service = cls.env["debtor.dunning.escalation"]
        cls.sending = cls.env["debtor.dunning.sending"]
        cls.rendering = cls.env["debtor.dunning.rendering"]
        cls.as_of = TUESDAY

    @classmethod
    def _climb_by_age(cls, policies=None):
        """Notices go straight to the level their invoices' age reaches.

        For tests about what a level does (costs, letters), not about the path up
        the ladder: no level waits for its predecessor (the old behaviour).
        """
        policies = policies or cls.policy
        policies.climb = "age"
        policies.level_ids.requires_previous = False

    @classmethod
    def _invoice(cls, overdue, amount=1000.0, partner=None, **values):
        """A posted customer invoice due `overdue` days before TUESDAY (no taxes)."""
        due = TUESDAY - timedelta(days=overdue)
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or cls.partner_a).id,
                "invoice_date": due,
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "test", "price_unit": amount, "tax_ids": []}
                    )
                ],
                **values,
            }
        )
        move.action_post()
        return move

    @classmethod
    def _pay(cls, move, amount, day):
        """Register a customer payment of `amount` on `day` against `move`."""
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"amount": amount, "payment_date": day})
            ._create_payments()
        )

    def _run(self, as_of=None, validate=True):
        run = self.service._propose(self.company, as_of or self.as_of)
        if validate:
            run.action_validate()
        return run

    def _notice_of(self, run, partner=None):
        partner = (partner or self.partner_a).commercial_partner_id
        return run.notice_ids.filtered(lambda n: n.partner_id == partner)

    def _hold_reasons(self, run, move):
        return set(run.hold_ids.filtered(lambda h: h.move_id == move).mapped("reason"))


@tagged("post_install", "-at_install")
class DemoCase(TransactionCase):
    """Tests that read the demo data run on the day it was loaded.

    The demo is dated relative to its load day (the template database may be older
    than today): the clock stands still on that day, whenever the suite runs.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo_date = demo_date(cls.env)
        cls.startClassPatcher(freezegun.freeze_time(noon(cls.demo_date)))
        cls.company = cls.env.ref("debtor_dunning.company_demo")
        serve_letter_assets(cls.env)


def demo_date(env):
    """The day the demo data was loaded (debtor.dunning.demo records it)."""
    day = env["ir.config_parameter"].sudo().get_param("debtor_dunning.demo_date")
    assert day, "the demo data is loaded by the README's commands: it is missing"
    return fields.Date.to_date(day)
