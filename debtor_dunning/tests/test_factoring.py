from odoo.tests import tagged

from .common import DunningCommon
from .test_letters import LETTER_REPORT, pdf_text

OUR_IBAN = "NL91ABNA0417164300"
FACTOR_IBAN = "NL20INGB0001234567"


@tagged("post_install", "-at_install")
class TestFactoring(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._climb_by_age()
        cls.env["res.partner.bank"].create(
            {
                "acc_number": OUR_IBAN,
                "partner_id": cls.company.partner_id.id,
                "company_id": cls.company.id,
            }
        )
        cls.factor = cls.env["res.partner"].create(
            {"name": "Factoring Fonds B.V.", "is_company": True}
        )
        cls.env["res.partner.bank"].create(
            {"acc_number": FACTOR_IBAN, "partner_id": cls.factor.id}
        )

    def test_factor_that_duns_itself_holds_the_invoice(self):
        self.factor.dunning_factor_mode = "factor"
        move = self._invoice(10)
        wizard = (
            self.env["debtor.dunning.factor.assign"]
            .with_user(self.dunning_user)
            .create(
                {
                    "partner_id": self.partner_a.id,
                    "factor_id": self.factor.id,
                }
            )
        )
        self.assertEqual(wizard.move_ids, move)
        wizard.action_confirm()
        self.assertRecordValues(
            move,
            [
                {
                    "dunning_factor_id": self.factor.id,
                    "dunning_hold": "factored",
                    "dunning_state": "factored",
                }
            ],
        )
        # Ten days overdue: the first notice, were it not sold to a dunning factor.
        run = self._run(validate=False)
        self.assertFalse(self._notice_of(run))
        self.factor.dunning_factor_mode = "us"
        self.assertFalse(move.dunning_hold)
        self.assertTrue(self._notice_of(self._run(validate=False)))

    def test_factored_letter_shows_only_the_factors_payment_details(self):
        self.factor.dunning_factor_mode = "us"
        move = self._invoice(10)
        move._dunning_sell_to_factor(self.factor, move.invoice_date)
        move.dunning_factor_reference = "FF-2026-0815"
        self.assertFalse(move.dunning_hold, "we still dun it")
        notice = self._notice_of(self._run())
        self.assertEqual(notice.state, "issued")
        letter = notice._letter_values()[notice.id]
        self.assertEqual(letter["bank"].sanitized_acc_number, FACTOR_IBAN)
        self.assertEqual(letter["reference"], "FF-2026-0815")
        self.assertEqual(notice.payee_reference, "FF-2026-0815")
        pdf, _kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(LETTER_REPORT, res_ids=notice.ids)
        )
        text = pdf_text(pdf).replace(" ", "")
        self.assertIn(FACTOR_IBAN, text)
        self.assertIn("FF-2026-0815", text)
        self.assertIn("FactoringFondsB.V.", text)
        self.assertNotIn(OUR_IBAN, text)
        self.assertNotIn(notice.payment_reference.replace(" ", ""), text)

    def test_unfactored_letter_keeps_our_account(self):
        self._invoice(10)
        notice = self._notice_of(self._run())
        letter = notice._letter_values()[notice.id]
        self.assertEqual(letter["bank"].sanitized_acc_number, OUR_IBAN)
        self.assertEqual(letter["reference"], notice.payment_reference)
        self.assertFalse(letter["factor"])
