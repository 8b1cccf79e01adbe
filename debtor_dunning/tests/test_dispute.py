from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import TUESDAY, DunningCommon


@tagged("post_install", "-at_install")
class TestDispute(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Dispute = cls.env["debtor.dunning.dispute"]

    def _dispute(self, move, **values):
        return self.Dispute.create({"move_id": move.id, "reason": "quality", **values})

    def test_dispute_pauses_only_the_disputed_invoice(self):
        disputed = self._invoice(overdue=20)
        other = self._invoice(overdue=20)
        self._dispute(disputed, note="Broken on arrival")
        self.assertTrue(disputed.dunning_disputed)
        self.assertEqual(disputed.dunning_state, "disputed")
        self.assertFalse(other.dunning_disputed)
        run = self._run()
        self.assertEqual(self._hold_reasons(run, disputed), {"disputed"})
        self.assertEqual(self._notice_of(run).line_ids.move_id, other)
        self.assertIn(
            disputed,
            self.env["account.move"].search([("dunning_state", "=", "disputed")]),
        )

    def test_dispute_from_the_invoice_button(self):
        move = self._invoice(overdue=20)
        action = move.action_dunning_dispute()
        form = Form(
            self.env[action["res_model"]].with_context(**action["context"]),
            view="debtor_dunning.debtor_dunning_dispute_view_form",
        )
        form.reason = "not_delivered"
        form.note = "Never arrived"
        dispute = form.save()
        self.assertRecordValues(
            dispute,
            [
                {
                    "move_id": move.id,
                    "partner_id": self.partner_a.id,
                    "state": "open",
                    "disputed_amount": 1000.0,
                    "source": "internal",
                }
            ],
        )
        self.assertTrue(dispute.name.startswith("DIS/"))
        self.assertTrue(move.dunning_disputed)

    def test_responsible_gets_a_todo_with_deadline(self):
        move = self._invoice(overdue=20)
        move.invoice_user_id = self.dunning_user
        with freeze_time(TUESDAY):
            dispute = self._dispute(move)
        self.assertEqual(dispute.user_id, self.dunning_user)
        self.assertRecordValues(
            dispute.activity_ids,
            [
                {
                    "user_id": self.dunning_user.id,
                    "date_deadline": TUESDAY + timedelta(days=14),
                }
            ],
        )
        dispute.action_withdraw()
        self.assertFalse(dispute.activity_ids)

    def test_justified_dispute_credits_the_disputed_amount(self):
        move = self._invoice(overdue=20)
        other = self._invoice(overdue=20)
        dispute = self._dispute(move, disputed_amount=400.0)
        action = dispute.action_justify()
        credit_note = dispute.credit_note_id
        self.assertEqual(action["res_id"], credit_note.id)
        self.assertRecordValues(
            credit_note,
            [
                {
                    "move_type": "out_refund",
                    "state": "draft",
                    "reversed_entry_id": move.id,
                    "amount_total": 400.0,
                }
            ],
        )
        self.assertEqual(dispute.state, "justified")
        self.assertFalse(move.dunning_disputed)
        # The draft credit note holds the invoice until it is posted.
        self.assertEqual(move.dunning_state, "disputed")
        run = self._run(validate=False)
        self.assertEqual(self._hold_reasons(run, move), {"disputed"})
        self.assertEqual(self._notice_of(run).line_ids.move_id, other)
        run.action_cancel()
        credit_note.action_post()
        self.assertAlmostEqual(move.amount_residual, 600.0)
        run = self._run(validate=False)
        line = self._notice_of(run).line_ids.filtered(lambda n: n.move_id == move)
        self.assertAlmostEqual(line.amount_residual, 600.0)

    def test_rejected_dispute_resumes_where_it_stood_and_the_letter_says_so(self):
        move = self._invoice(overdue=25)
        first = self._run(as_of=TUESDAY - timedelta(days=14))
        level_1 = self._notice_of(first).level_id
        self.assertEqual(level_1, self.levels[0])
        with freeze_time(TUESDAY - timedelta(days=10)):
            dispute = self._dispute(move)
        held = self._run()
        self.assertEqual(self._hold_reasons(held, move), {"disputed"})
        self.assertEqual(move.dunning_level_id, level_1)
        with freeze_time(TUESDAY):
            dispute.resolution = "Delivered and signed for on the 3rd."
            dispute.action_reject()
        self.assertFalse(move.dunning_disputed)
        # The reminder's term ended on TUESDAY: the next level the day after.
        resumed = self._notice_of(self._run(TUESDAY + timedelta(days=1)))
        self.assertEqual(resumed.level_id, self.levels[1])
        self.assertTrue(resumed.line_ids.dispute_rejected)
        later = self._notice_of(self._run(as_of=TUESDAY + timedelta(days=16)))
        self.assertEqual(later.level_id, self.levels[2])
        self.assertFalse(later.line_ids.dispute_rejected)
        self.assertTrue(resumed.line_ids.dispute_rejected, "the first letter keeps it")

    def test_withdrawn_dispute_resumes_dunning(self):
        move = self._invoice(overdue=20)
        dispute = self._dispute(move)
        dispute.action_withdraw()
        self.assertRecordValues(
            dispute, [{"state": "withdrawn", "credit_note_id": False}]
        )
        self.assertFalse(move.dunning_disputed)
        run = self._run()
        self.assertEqual(self._notice_of(run).line_ids.move_id, move)
        self.assertFalse(self._notice_of(run).line_ids.dispute_rejected)

    def test_draft_credit_note_of_the_customer_holds_the_invoice(self):
        move = self._invoice(overdue=20)
        other = self._invoice(overdue=20)
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "reason": "Price"})
        )
        reversal.refund_moves()
        self.assertEqual(move.reversal_move_ids.state, "draft")
        self.assertEqual(move.dunning_state, "disputed")
        run = self._run()
        self.assertEqual(self._hold_reasons(run, move), {"disputed"})
        self.assertEqual(self._notice_of(run).line_ids.move_id, other)

    def test_history_on_the_customer(self):
        first = self._dispute(self._invoice(overdue=20))
        self._dispute(self._invoice(overdue=20), reason="price")
        first.action_reject()
        partner = self.partner_a
        self.assertEqual(partner.dunning_dispute_count, 2)
        self.assertEqual(partner.dunning_open_dispute_count, 1)
        action = partner.action_open_dunning_disputes()
        self.assertEqual(
            self.Dispute.search(action["domain"]).mapped("reason"), ["price", "quality"]
        )

    def test_open_disputes_by_reason(self):
        self._dispute(self._invoice(overdue=20))
        self._dispute(self._invoice(overdue=20))
        self._dispute(self._invoice(overdue=20), reason="price")
        groups = self.Dispute._read_group(
            [("partner_id", "=", self.partner_a.id), ("state", "=", "open")],
            ["reason"],
            ["__count"],
        )
        self.assertEqual(dict(groups), {"price": 1, "quality": 2})

    def test_age_in_days(self):
        with freeze_time(TUESDAY - timedelta(days=9)):
            dispute = self._dispute(self._invoice(overdue=20))
        with freeze_time(TUESDAY):
            dispute.invalidate_recordset(["age_days"])
            self.assertEqual(dispute.age_days, 9)
            dispute.action_withdraw()
        with freeze_time(TUESDAY + timedelta(days=30)):
            dispute.invalidate_recordset(["age_days"])
            self.assertEqual(dispute.age_days, 9, "a settled dispute stops ageing")

    def test_bad_input_is_refused_clearly(self):
        paid = self._invoice(overdue=20)
        self._pay(paid, paid.amount_total, TUESDAY)
        with self.assertRaisesRegex(UserError, "cannot be disputed"):
            self._dispute(paid)
        move = self._invoice(overdue=20)
        with self.assertRaises(ValidationError) as caught:
            self._dispute(move, disputed_amount=1500.0)
        self.assertIn("at most the invoice total", str(caught.exception))
        dispute = self._dispute(move)
        with self.assertRaises(ValidationError) as caught:
            self._dispute(move)
        self.assertIn("already has an open dispute", str(caught.exception))
        dispute.action_reject()
        with self.assertRaisesRegex(UserError, "settled already"):
            dispute.action_withdraw()

    def test_dunning_user_runs_disputes(self):
        move = self._invoice(overdue=20)
        dispute = self.Dispute.with_user(self.dunning_user).create(
            {"move_id": move.id, "reason": "price"}
        )
        dispute.action_justify()
        self.assertEqual(dispute.state, "justified")
        self.assertTrue(dispute.credit_note_id)
