from datetime import timedelta

from odoo import fields
from odoo.tests import freeze_time, tagged

from .common import TUESDAY, DemoCase, DunningCommon


@tagged("post_install", "-at_install")
class TestCron(DunningCommon):
    def _cron(self, batch_size):
        """One call of the scheduled action, with a progress record to report to."""
        cron = self.env.ref("debtor_dunning.ir_cron_dunning_escalate")
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": cron.id, "remaining": 0, "done": 0}
        )
        service = self.service.with_context(ir_cron_progress_id=progress.id)
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

    def test_reviewed_levels_wait_in_the_proposal(self):
        self.levels[2].needs_review = True
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
            waits = line.notice_id.policy_id.level_ids.mapped("wait_days")
            overdue = (tuesday - line.date_maturity).days
            expected = sum(1 for wait in waits if overdue >= wait)
            self.assertEqual(line.level_id.rank, expected, line.move_id.name)
        issued = run.notice_ids.filtered(lambda n: n.state == "issued")
        waiting = run.notice_ids.filtered(lambda n: n.state == "draft")
        self.assertTrue(issued, "reminders go out by themselves")
        self.assertTrue(waiting, "notices of default wait for review")
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
        policy.level_ids.needs_review = False
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
