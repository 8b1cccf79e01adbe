import re
import subprocess
import tempfile
from datetime import timedelta

from odoo import Command
from odoo.tests import tagged
from odoo.tools.misc import format_date, formatLang

from odoo.addons.debtor_dunning.models.debtor_dunning_policy import WEEKDAYS

from .common import TUESDAY, DunningCommon

LETTER_REPORT = "debtor_dunning.debtor_dunning_notice_action_report"
# Days after the due date on which each standard level is reached.
# The days after the due date of the runs that take every customer up the ladder: each
# level's day, or the first day after the previous notice's term (14 days, or the
# statutory term of a 14-day letter) when that comes later.
RUN_DAYS = (7, 22, 42, 65)


def pdf_text(pdf):
    """The text of a PDF, blanks (narrow and non-breaking too) made plain spaces."""
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"[ \u00a0\u202f]+", " ", out)


def plain(text):
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


@tagged("post_install", "-at_install")
class TestLetters(DunningCommon):
    """Each level's letter for a Dutch consumer, a Dutch and a Belgian business."""

    country_code = "NL"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("nl_NL", "nl_BE", "fr_BE"):
            cls.env["res.lang"]._activate_lang(lang)
        nl, be = cls.env.ref("base.nl"), cls.env.ref("base.be")
        cls.company.partner_id.write(
            {
                "street": "Keizersgracht 123",
                "zip": "1015 CJ",
                "city": "Amsterdam",
                "country_id": nl.id,
                "email": "debiteuren@letters.example",
            }
        )
        cls.bank = cls.env["res.partner.bank"].create(
            {
                "acc_number": "NL91ABNA0417164300",
                "partner_id": cls.company.partner_id.id,
                "company_id": cls.company.id,
            }
        )
        Partner = cls.env["res.partner"]
        cls.nl_consumer = Partner.create(
            {
                "name": "Jan de Vries",
                "lang": "nl_NL",
                "country_id": nl.id,
                "street": "Oudegracht 1",
                "zip": "3511 AA",
                "city": "Utrecht",
                "email": "jan@devries.example",
            }
        )
        cls.nl_business = Partner.create(
            {
                "name": "Bakkerij Van Dijk B.V.",
                "is_company": True,
                "lang": "nl_NL",
                "country_id": nl.id,
                "street": "Markt 5",
                "zip": "8011 AB",
                "city": "Zwolle",
                "child_ids": [
                    Command.create(
                        {
                            "name": "Petra Smit",
                            "dunning_role": "finance",
                            "email": "petra@vandijk.example",
                            "phone": "+31 38 123 4567",
                        }
                    )
                ],
            }
        )
        cls.be_business = Partner.create(
            {
                "name": "Boulangerie Dupont SRL",
                "is_company": True,
                "lang": "fr_BE",
                "country_id": be.id,
                "street": "Rue de Fer 10",
                "zip": "5000",
                "city": "Namur",
                "email": "compta@dupont.example",
            }
        )
        cls.customers = cls.nl_consumer | cls.nl_business | cls.be_business
        # Dutch consumers have a ladder of their own: every day a send day there too.
        policies = cls.env["debtor.dunning.policy"].search(
            [("company_id", "=", cls.company.id)]
        )
        policies.write({"min_interval_days": 0, **dict.fromkeys(WEEKDAYS, True)})
        # One invoice per customer, due on the same day; a run on each level's day.
        due = TUESDAY - timedelta(days=RUN_DAYS[-1])
        cls.invoices = {
            partner: cls._invoice(RUN_DAYS[-1], amount, partner=partner)
            for partner, amount in zip(
                cls.customers, (312.5, 1860.0, 4215.75), strict=True
            )
        }
        cls.notices = cls.env["debtor.dunning.notice"]
        for days in RUN_DAYS:
            run = cls.service._propose(cls.company, due + timedelta(days=days))
            run.action_validate()
            cls.notices |= run.notice_ids.filtered(lambda n: n.state == "issued")

    def _render(self, notices):
        """{notice: text of its letter}: each letter as the customer receives it.

        Several letters are rendered in one wkhtmltopdf call and split per notice,
        as the e-mails of a run are (one call per letter takes a second each).
        """
        Report = self.env["ir.actions.report"].with_context(
            force_report_rendering=True, report_pdf_no_attachment=True
        )
        notices = notices.sorted("id")
        content = Report._render_qweb_pdf(LETTER_REPORT, notices.ids)[0]
        if len(notices) == 1:
            return {notices: pdf_text(content)}
        streams = self.rendering._split_letters(content, notices)
        self.assertEqual(set(streams), set(notices.ids), "each letter found in the PDF")
        return {
            notice: pdf_text(streams[notice.id]["stream"].getvalue())
            for notice in notices
        }

    def _amount(self, notice, amount):
        lang_env = notice.with_context(lang=notice.partner_id.lang).env
        return plain(formatLang(lang_env, amount, currency_obj=notice.currency_id))

    def _date(self, notice, day):
        return format_date(self.env, day, lang_code=notice.partner_id.lang)

    def test_every_level_reaches_every_customer(self):
        self.assertEqual(len(self.notices), 12)
        for partner in self.customers:
            ranks = self.notices.filtered(
                lambda n, p=partner: n.partner_id == p
            ).mapped("rank")
            self.assertEqual(sorted(ranks), [1, 2, 3, 4], partner.name)

    def test_letter_shows_invoices_amounts_pay_by_date_and_reference(self):
        texts = self._render(self.notices)
        for notice, text in texts.items():
            with self.subTest(customer=notice.partner_id.name, level=notice.rank):
                invoice = self.invoices[notice.partner_id]
                self.assertIn(invoice.name, text)
                self.assertIn(self._amount(notice, invoice.amount_total), text)
                self.assertIn(self._amount(notice, notice.amount_due), text)
                self.assertIn(self._date(notice, notice.pay_by_date), text)
                self.assertIn(self._date(notice, invoice.invoice_date_due), text)
                self.assertIn(notice.name, text)
                self.assertIn(notice.payment_reference, text)
                self.assertIn("NL91ABNA0417164300", text.replace(" ", ""))
                self.assertIn(notice.partner_id.name, text)
                for charge in notice.charge_ids:
                    self.assertIn(self._amount(notice, charge.amount), text)

    def test_each_level_prints_its_own_text(self):
        phrases = {
            1: "It may simply have slipped through",
            2: "We ask you to pay the open amount in full",
            3: "formal notice of default",
            4: "This is our final notice",
        }
        # In English: the texts are checked, not their translations.
        self.nl_business.lang = "en_US"
        business = self.notices.filtered(lambda n: n.partner_id == self.nl_business)
        texts = self._render(business)
        for notice, text in texts.items():
            flat = " ".join(text.split())
            self.assertIn(phrases[notice.rank], flat, f"level {notice.rank}")
            others = set(phrases) - {notice.rank}
            for rank in others:
                self.assertNotIn(phrases[rank], flat, f"level {notice.rank}")

    def test_business_letter_is_for_the_attention_of_its_dunning_contact(self):
        notice = self.notices.filtered(lambda n: n.partner_id == self.nl_business)[:1]
        text = self._render(notice)[notice]
        # Addressed to her, and greeted by name (in whatever language).
        self.assertEqual(text.count("Petra Smit"), 2, text)
        consumer = self.notices.filtered(lambda n: n.partner_id == self.nl_consumer)[:1]
        self.assertEqual(self._render(consumer)[consumer].count("Jan de Vries"), 2)

    def test_reference_is_rf_in_the_netherlands_and_ogm_in_belgium(self):
        notice = self.notices[:1]
        self.assertRegex(notice.payment_reference, r"^RF\d\d [0-9A-Z ]+$")
        self.company.country_id = self.env.ref("base.be")
        notice.invalidate_recordset(["payment_reference"])
        self.assertRegex(notice.payment_reference, r"^\+\+\+\d{3}/\d{4}/\d{5}\+\+\+$")
        text = self._render(notice)[notice]
        self.assertIn(notice.payment_reference, text)

    def test_letter_carries_an_epc_qr_code_for_what_is_left_to_pay(self):
        notice = self.notices[:1]
        values = notice._letter_values()[notice.id]
        self.assertTrue(values["qr_src"].startswith("data:image/png;base64,"))
        self.assertEqual(values["to_pay"], notice.amount_due)
        self.assertIn(f"/my/dunning/{notice.id}?access_token=", values["portal_url"])
        pdf = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(LETTER_REPORT, notice.ids)[0]
        )
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(pdf)
            file.flush()
            listing = subprocess.run(
                ["pdfimages", "-list", file.name], capture_output=True, check=True
            ).stdout.decode()
        # Two header lines, then one line per image: the QR code at least.
        self.assertGreaterEqual(len(listing.strip().splitlines()), 3, listing)

    def test_open_credits_are_listed_and_deducted(self):
        notice = self.notices.filtered(
            lambda n: n.partner_id == self.nl_business and n.rank == 4
        )
        credit = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.nl_business.id,
                "invoice_date": TUESDAY,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Discount", "price_unit": 100.0, "tax_ids": []}
                    )
                ],
            }
        )
        credit.action_post()
        values = notice._letter_values()[notice.id]
        self.assertEqual(values["credit_total"], 100.0)
        self.assertAlmostEqual(values["to_pay"], notice.amount_due - 100.0)
        text = self._render(notice)[notice]
        self.assertIn(credit.name, text)
        self.assertIn(self._amount(notice, notice.amount_due - 100.0), text)

    def test_issued_letter_is_kept_and_given_again(self):
        notice = self.notices[:1]
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        first = Report._render_qweb_pdf(LETTER_REPORT, notice.ids)[0]
        kept = self.env["ir.attachment"].search(
            [("res_model", "=", notice._name), ("res_id", "=", notice.id)]
        )
        self.assertEqual(len(kept), 1)
        self.assertEqual(Report._render_qweb_pdf(LETTER_REPORT, notice.ids)[0], first)

    def test_many_letters_come_in_one_pdf_one_letter_a_page_at_least(self):
        notices = self.notices.filtered(lambda n: n.rank == 1)
        pdf = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(LETTER_REPORT, notices.ids)[0]
        )
        pages = pdf_text(pdf).split("\f")
        for notice in notices:
            # Each letter starts on a page of its own: its reference shows once.
            [page] = [p for p in pages if notice.name in p]
            self.assertIn(notice.partner_id.name, page)
        for page in pages:
            self.assertLessEqual(sum(n.name in page for n in notices), 1, page)

    def test_every_page_ends_with_the_company_footer_and_its_number(self):
        """Debian's wkhtmltopdf prints no footer: the letter gets it on each page."""
        self.company.write({"vat": "NL123456782B90", "company_registry": "12345678"})
        customer = self.env["res.partner"].create(
            {
                "name": "Veel Facturen B.V.",
                "is_company": True,
                "lang": "nl_NL",
                "country_id": self.env.ref("base.nl").id,
                "street": "Lange Laan 1",
                "zip": "1234 AB",
                "city": "Almere",
            }
        )
        for number in range(40):  # a table longer than one page
            self._invoice(10, 100.0 + number, partner=customer)
        [notice] = self._run().notice_ids.filtered(lambda n: n.partner_id == customer)
        other = self.notices.filtered(lambda n: n.rank == 1)[:1]
        texts = self._render(notice | other)
        for letter, lang_page in ((notice, "Pagina"), (other, None)):
            pages = [page for page in texts[letter].split("\f") if page.strip()]
            if letter == notice:
                self.assertEqual(len(pages), 2, "a two-page letter")
            for number, page in enumerate(pages, start=1):
                lines = [line.strip() for line in page.splitlines() if line.strip()]
                label = lang_page or lines[-1].split()[0]
                self.assertRegex(
                    lines[-1], rf"^{label} {number} \S+ {len(pages)}$", letter.name
                )
                self.assertIn(self.company.name, lines[-2])
                self.assertIn("NL123456782B90", lines[-2])
                self.assertIn("12345678", lines[-2])

    def test_letters_rendered_together_are_kept_each_on_its_notice(self):
        notices = self.notices.filtered(lambda n: n.rank in (3, 4))
        service = self.rendering.with_context(force_report_rendering=True)
        service._render_letters(notices)
        kept = self.env["ir.attachment"].search(
            [("res_model", "=", notices._name), ("res_id", "in", notices.ids)]
        )
        self.assertEqual(sorted(kept.mapped("res_id")), sorted(notices.ids))
        for attachment in kept:
            notice = notices.browse(attachment.res_id)
            text = pdf_text(attachment.raw)
            self.assertTrue(text.strip().startswith(self.company.name), text[:200])
            self.assertIn(notice.name, text)
            # Its own payment details, nobody else's.
            urls = set(re.findall(r"/my/dunning/(\d+)\?", text))
            self.assertEqual(urls, {str(notice.id)}, text)
