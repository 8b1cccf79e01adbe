from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import TUESDAY, DemoCase, DunningCommon


@tagged("post_install", "-at_install")
class TestCron(DunningCommon):
    def _cron(self, batch_size):
        """One call of the scheduled action, with a progress record to report to."""
        cron = self.env.ref("debtor_dunning.ir_cron_dunning_escalate")
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": cron.id, "remaining": 0, "done": 0}
        )
        service = self.service.with_context(
            ir_cron_progress_id=progress.id, cron_id=cron.id
        )
        with freeze_time(TUESDAY):
            issued = service._cron_escalate(batch_size=batch_size)
        return issued, progress

    def test_cron_issues_in_batches_and_resumes_where_it_stopped(self):
        partners = self.partner_a | self.partner_b | self.partner_a.copy()
        for partner in partners:
            self._invoice(overdue=10, partner=partner)
        ours = [("company_id", "=", self.company.id)]
        issued, progress = self._cron(batch_size=1)
        self.assertEqual(len(issued), 1)
        self.assertGreaterEqual(
            progress.remaining, 2, "the rest waits for the next call"
        )
        # An interrupted cron is simply called again: it goes on with the same run.
        for _call in range(50):
            _issued, progress = self._cron(batch_size=1)
            if not progress.remaining:
                break
        runs = self.env["debtor.dunning.run"].search(ours)
        self.assertEqual(len(runs), 1, "resuming never starts a second run")
        notices = runs.notice_ids
        self.assertEqual(set(notices.mapped("state")), {"issued"})
        self.assertEqual(notices.partner_id, partners)
        self.assertEqual(len(notices), 3, "one notice per customer, never two")

    def test_second_cron_the_same_day_issues_nothing(self):
        self._invoice(overdue=10)
        first, _progress = self._cron(batch_size=100)
        self.assertTrue(first.filtered(lambda n: n.company_id == self.company))
        issued, progress = self._cron(batch_size=100)
        ours = issued.filtered(lambda n: n.company_id == self.company)
        self.assertFalse(ours)
        self.assertEqual(progress.remaining, 0)

    @mute_logger("odoo.addons.debtor_dunning.services.debtor_dunning_escalation")
    def test_one_companys_failure_leaves_the_others_run_complete(self):
        other = self.setup_other_company(name="Company B")["company"]
        Policy = self.env["debtor.dunning.policy"]
        (
            Policy.search([("company_id", "=", other.id)])
            or Policy._create_default(other)
        ).write({"mode": "auto", "min_interval_days": 0})
        Policy.search([("company_id", "=", other.id)]).level_ids.write(
            {"needs_review": False, "requires_approval": False}
        )
        self._invoice(overdue=10)  # company A: self.company
        b_invoice = (
            self.env["account.move"]
            .with_company(other)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_b.id,
                    "invoice_date": TUESDAY - timedelta(days=10),
                    "invoice_date_due": TUESDAY - timedelta(days=10),
                    "invoice_line_ids": [
                        Command.create({"name": "x", "price_unit": 100, "tax_ids": []})
                    ],
                }
            )
        )
        b_invoice.action_post()
        Book = type(self.env["debtor.dunning.book"])
        read = Book._read

        def broken_for_a(book, company, *args, **kwargs):
            if company == self.company:
                raise ValueError("a broken level of company A")
            return read(book, company, *args, **kwargs)

        with patch.object(Book, "_read", broken_for_a):
            self._cron(batch_size=100)
        Run = self.env["debtor.dunning.run"]
        failed = Run.search([("company_id", "=", self.company.id)])
        self.assertEqual(failed.state, "failed")
        self.assertIn("a broken level of company A", failed.error)
        self.assertTrue(failed.activity_ids, "its responsible is told")
        done = Run.search([("company_id", "=", other.id), ("date", "=", TUESDAY)])
        self.assertEqual(done.notice_ids.state, "issued", "company B went on")
        self.assertEqual(done.notice_ids.line_ids.move_id, b_invoice)
        # The next trigger the same day tries company A again.
        self._cron(batch_size=100)
        retried = Run.search(
            [("company_id", "=", self.company.id), ("state", "!=", "failed")]
        )
        self.assertEqual(retried.notice_ids.state, "issued")

    def test_reviewed_levels_wait_in_the_proposal(self):
        self.levels[0].needs_review = True
        self._invoice(overdue=40)
        self._cron(batch_size=100)
        run = self.env["debtor.dunning.run"].search(
            [("company_id", "=", self.company.id)]
        )
        self.assertEqual(run.notice_ids.state, "draft")
        self.assertEqual(run.state, "proposal")
        run.action_validate()
        self.assertEqual(run.notice_ids.state, "issued")


@tagged("post_install", "-at_install")
class TestDemoEscalation(DemoCase):
    """The scheduled action and concurrent runs on the demo's committed invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = cls.env["debtor.dunning.escalation"]

    def test_scheduled_action_escalates_the_demo_invoices(self):
        company = self.company
        self.service = self.service.sudo()  # the scheduled action runs as superuser
        # The standard policy, and the consumer policy of a company under Dutch law.
        policies = self.service.env["debtor.dunning.policy"].search(
            [("company_id", "=", company.id)]
        )
        self.assertEqual(set(policies.mapped("mode")), {"auto"})
        today = fields.Date.context_today(self.service)
        tuesday = today + timedelta(days=(1 - today.weekday()) % 7)
        with freeze_time(tuesday):
            self.service._cron_escalate()
        run = self.service.env["debtor.dunning.run"].search(
            [("company_id", "=", company.id), ("date", "=", tuesday)]
        )
        self.assertEqual(len(run), 1)
        for line in run.notice_ids.line_ids.filtered("escalated"):
            # One level above where it stood, once its last term passed, and never
            # above the level its age reaches.
            self.assertEqual(
                line.level_id.rank,
                line.previous_level_id.rank + 1,
                line.move_id.name,
            )
            self.assertLessEqual(line.level_id.rank, line.age_level_id.rank)
            if line.previous_term_date:
                self.assertLess(line.previous_term_date, tuesday)
        issued = run.notice_ids.filtered(lambda n: n.state == "issued")
        waiting = run.notice_ids.filtered(lambda n: n.state == "draft")
        self.assertTrue(issued, "reminders go out by themselves")
        self.assertTrue(all(n.level_id.needs_review for n in waiting))
        self.assertIn("covered_by_credit", run.hold_ids.mapped("reason"))
        dunned = issued.line_ids.filtered("escalated").move_id
        self.assertTrue(all(m.dunning_level_id for m in dunned))
        with freeze_time(tuesday):
            again = self.service._cron_escalate()
        self.assertFalse(again.filtered(lambda n: n.company_id == company))

    def test_concurrent_run_skips_what_another_transaction_holds(self):
        """A second transaction locking the invoices: this run issues none of them."""
        # The demo company's invoices are committed, so another cursor can lock them.
        company = self.env.ref("debtor_dunning.company_demo")
        service = self.service.sudo().with_company(company)
        policy = service.env["debtor.dunning.policy"].search(
            [("company_id", "=", company.id)]
        )
        policy.write(
            {f"send_{day}": True for day in ("monday", "friday", "saturday", "sunday")}
        )
        policy.level_ids.write({"needs_review": False, "requires_approval": False})
        today = fields.Date.context_today(service)
        run = service._propose(company, today)
        lines = run.notice_ids.line_ids.move_line_id
        self.assertTrue(lines, "the demo company has overdue invoices")
        with self.registry.cursor() as other:
            other.execute("SET LOCAL lock_timeout = '10s'")  # fail, never hang
            other.execute(
                "SELECT id FROM account_move_line WHERE id = ANY(%s) FOR NO KEY UPDATE",
                [lines.ids],
            )
            run.action_validate()
            other.rollback()
        self.assertEqual(set(run.notice_ids.mapped("state")), {"cancel"})
        self.assertFalse(lines.move_id.filtered("dunning_last_date"))
        # Released: a later trigger the same day issues them, once; none is lost.
        later = service._propose(company, today)
        later.action_validate()
        issued = later.notice_ids.filtered(lambda n: n.state == "issued")
        self.assertEqual(issued.line_ids.move_line_id, lines)
        self.assertTrue(all(lines.move_id.mapped("dunning_last_date")))
        last = service._propose(company, today)
        self.assertFalse(last.notice_ids.line_ids.move_line_id & lines, "never twice")

    def test_the_demo_climbs_one_step_at_a_time_on_day_0_30_and_90(self):
        """Going live on the demo's book: no customer starts above the first level."""
        company = self.company
        service = self.service.sudo().with_company(company)
        policies = service.env["debtor.dunning.policy"].search(
            [("company_id", "=", company.id)]
        )
        policies.write(
            {
                "holiday_country": False,
                **{
                    f"send_{day}": True
                    for day in ("monday", "friday", "saturday", "sunday")
                },
            }
        )
        dunned_before = (
            self.env["debtor.dunning.notice"]
            .search([("company_id", "=", company.id), ("state", "=", "issued")])
            .partner_id
        )
        manager = self.env.ref("debtor_dunning.res_users_manager_demo")
        for offset in (0, 30, 90):
            day = self.demo_date + timedelta(days=offset)
            with freeze_time(day):
                run = service._propose(company, day)
                # The notices of default wait for the credit manager's approval.
                run.notice_ids.filtered(
                    lambda n: n.approval_state == "waiting"
                ).with_user(manager).action_approve()
                run.action_validate()
            notices = run.notice_ids.filtered(lambda n: n.state == "issued")
            self.assertTrue(notices, f"day {offset}: the overdue invoices are dunned")
            for notice in notices:
                for line in notice.line_ids.filtered("escalated"):
                    previous = line.previous_level_id.rank
                    self.assertEqual(line.level_id.rank, previous + 1, "one step")
                    if previous:
                        self.assertLess(line.previous_term_date, day, "after the term")
                if offset == 0 and notice.partner_id not in dunned_before:
                    self.assertEqual(notice.level_id.rank, 1, notice.partner_id.name)
