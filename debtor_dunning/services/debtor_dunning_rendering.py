"""Rendering: the letters of many notices, and copies of their invoices, as PDF."""

import base64
import io
import logging
import os
import re
import subprocess

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from odoo import api, models
from odoo.tools import format_amount, format_date, formatLang
from odoo.tools.pdf import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    PdfFileReader,
    PdfFileWriter,
)
from odoo.tools.safe_eval import safe_eval, time

from ..core import reference
from ..core.errors import DunningRuleError
from ..core.money import to_decimal
from ..models.ir_actions_report import DunningLetterRenderError

_logger = logging.getLogger(__name__)

# Letters rendered per wkhtmltopdf call when many are e-mailed at once.
_RENDER_BATCH = 100
LETTER_REPORT = "debtor_dunning.debtor_dunning_notice_action_report"
INVOICE_REPORT = "account.account_invoices"
# The letter's own font (see report_dunning_notice) for the footer stamped on it.
_FOOTER_FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf"
_FOOTER_FONT = "DejaVuSansCondensed"


def _footer_font():
    """The footer's font: the letter's DejaVu Sans Condensed, else Helvetica."""
    if _FOOTER_FONT in pdfmetrics.getRegisteredFontNames():
        return _FOOTER_FONT
    if os.path.exists(_FOOTER_FONT_FILE):
        pdfmetrics.registerFont(TTFont(_FOOTER_FONT, _FOOTER_FONT_FILE))
        return _FOOTER_FONT
    return "Helvetica"


def _page_text(page):
    """The text of a PDF page (PyPDF2 2.x; 1.26 under Python 3.10)."""
    extract = getattr(page, "extract_text", None) or page.extractText
    return extract() or ""


def _pages_text(content, reader):
    """The text of each page of a PDF: poppler's pdftotext (one fast call), else
    PyPDF2 page by page."""
    count = reader.getNumPages()
    try:
        out = subprocess.run(
            ["pdftotext", "-q", "-", "-"],  # noqa: S607 - poppler-utils, see lib.sh
            input=content,
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout.decode("utf-8", "replace")
        pages = out.split("\f")
        if len(pages) >= count:
            return pages[:count]
    except (OSError, subprocess.SubprocessError) as error:
        _logger.info("pdftotext failed (%s); PyPDF2 reads the pages", error)
    return [_page_text(reader.getPage(number)) for number in range(count)]


def _overlay(writer, page, stamp):
    """Draw `stamp` (a small page of ours) over `page`, without parsing the page.

    PyPDF2's merge_page decodes and re-encodes the page's whole content (wkhtmltopdf
    pages are large: 0.3 s a page); here the page's streams stay as they are,
    wrapped in q/Q, and the stamp's stream and fonts (renamed) are added.
    """
    add = getattr(writer, "_add_object", None) or writer.addObject

    def stream_of(data):
        obj = DecodedStreamObject()
        (getattr(obj, "set_data", None) or obj.setData)(data)
        return add(obj)

    fonts = stamp["/Resources"].get_object().get("/Font")
    fonts = fonts.get_object() if fonts is not None else DictionaryObject()
    data = stamp["/Contents"].get_object()
    data = b"".join(
        part.get_object().get_data()
        for part in (data if isinstance(data, ArrayObject) else [data])
    )
    data = re.sub(rb"/(F\d+)\b", rb"/DD\1", data)
    resources = page["/Resources"].get_object()
    page_fonts = resources.get("/Font")
    page_fonts = page_fonts.get_object() if page_fonts is not None else None
    if page_fonts is None:
        page_fonts = DictionaryObject()
        resources[NameObject("/Font")] = page_fonts
    for name, font in fonts.items():
        page_fonts[NameObject("/DD" + name[1:])] = font
    contents = page["/Contents"].get_object()
    parts = list(contents) if isinstance(contents, ArrayObject) else [page["/Contents"]]
    page[NameObject("/Contents")] = ArrayObject(
        [stream_of(b"q\n"), *parts, stream_of(b"\nQ\n"), stream_of(data)]
    )


def _starts(texts, records):
    """The page where each record starts: the first showing its name after the
    previous one's start; None unless all are found from the first page on."""
    starts, expected = [], list(records)
    for number, text in enumerate(texts):
        if expected and expected[0].name in text:
            starts.append(number)
            expected.pop(0)
    if expected or not starts or starts[0] != 0:
        return None
    return starts


class DebtorDunningRendering(models.AbstractModel):
    _name = "debtor.dunning.rendering"
    _description = "Dunning letters rendered as PDF"

    # ------------------------------------------------------------------ values
    @api.model
    def _letter_values(self, notices, report_type="pdf"):
        """What each letter prints beyond the notice's own fields, by notice id.

        Amounts are computed here, never in QWeb, in the letter's currency: open
        credits (read now), what is left to pay after them, the payment reference,
        QR code and portal link; and the earlier notices the customer received.
        """
        credits = self._letter_credits(notices)
        history = self._letter_history(notices)
        notices.sudo()._portal_ensure_tokens()
        header_in_body = notices._letter_layout(report_type)["header_in_body"]
        result = {}
        for notice in notices:
            currency = notice.letter_currency_id or notice.currency_id
            rate = notice.letter_rate or 1.0
            rounding = currency.rounding
            rows = [
                {**row, "amount": self._letter_credit_amount(row, currency, rate)}
                for row in credits.get(notice.partner_id.id, [])
                if row["company_id"] == notice.company_id.id
            ]
            for row in rows:
                row["currency"] = currency
            credit_total = sum(
                (to_decimal(row["amount"], rounding) for row in rows),
                start=to_decimal(0, rounding),
            )
            due = to_decimal(notice.letter_amount_due, rounding)
            to_pay = max(due - credit_total, to_decimal(0, rounding))
            payee = self._letter_payee(notice)
            result[notice.id] = {
                "header_in_body": header_in_body,
                "attention": notice.partner_id.is_company and notice.contact_name,
                "currency": currency,
                "foreign": any(
                    line.currency_id != currency for line in notice.line_ids
                ),
                "converted": self._letter_conversion(notice, currency, rate),
                "charges": notice._letter_charges(),
                "history": history.get(notice.id, ""),
                "announcement": self._letter_announcement(notice, currency, rate),
                "credits": rows,
                "credit_total": float(credit_total),
                "to_pay": float(to_pay),
                "bank": payee["bank"],
                "payee": payee["name"],
                "reference": payee["reference"],
                "factor": payee["factor"],
                "qr_src": self._letter_qr_image(notice, payee, to_pay, currency),
                "portal_url": notice.get_base_url() + notice.get_portal_url(),
                "responsible": notice.policy_id.responsible_id,
            }
        return result

    @api.model
    def _letter_history(self, notices):
        """{notice id: the sentence naming the earlier notices about its invoices}.

        Only what the customer really received: issued before this notice, not an
        e-mail that failed without a letter. One query for all letters.
        """
        earlier = self.env["debtor.dunning.notice.line"]._dunning_earlier(
            notices.line_ids.move_id, notices.browse()
        )
        ids = {row["notice_id"] for rows in earlier.values() for row in rows}
        sent = {notice.id: notice for notice in notices.sudo().browse(ids)}
        result = {}
        for notice in notices:
            rows = {
                row["notice_id"]: row
                for move in notice.line_ids.move_id
                for row in earlier.get(move.id, [])
                if (row["date"], row["notice_id"]) < (notice.date, notice.id)
                and not (
                    row["email_state"] == "failed" and row["letter_state"] == "none"
                )
            }
            if not rows:
                continue
            lang = notice.partner_id.lang or self.env.lang
            env = self.with_context(lang=lang).env
            letters = [
                env._(
                    "%(level)s of %(date)s (%(reference)s)",
                    level=sent[key].level_id.with_context(lang=lang).name,
                    date=format_date(env, sent[key].date, lang_code=lang),
                    reference=sent[key].name,
                )
                for key in sorted(rows, key=lambda i: (rows[i]["date"], i))
            ]
            result[notice.id] = env._(
                "Our earlier letters about these invoices: %(letters)s.",
                letters="; ".join(letters),
            )
        return result

    @api.model
    def _letter_announcement(self, notice, currency, rate):
        """The costs the letter announces: (kind, amount as the customer reads it)."""
        if not notice.announced_cost_amount:
            return False
        env = self.with_context(lang=notice.partner_id.lang or self.env.lang).env
        amount = format_amount(env, notice.announced_cost_amount * rate, currency)
        return {"kind": notice.announced_cost_kind, "amount": amount}

    @api.model
    def _letter_conversion(self, notice, currency, rate):
        """How the costs and interest were converted into a foreign letter currency."""
        if currency == notice.currency_id:
            return False
        env = self.with_context(lang=notice.partner_id.lang or self.env.lang).env
        return env._(
            "Costs and interest are computed in %(company_currency)s and shown in "
            "%(currency)s at 1 %(company_currency)s = %(rate)s %(currency)s, the rate "
            "of %(date)s.",
            company_currency=notice.currency_id.name,
            currency=currency.name,
            rate=formatLang(env, rate, digits=6),
            date=format_date(env, notice.date),
        )

    @api.model
    def _letter_credit_amount(self, row, currency, rate):
        """An open credit in the letter's currency."""
        if row["line_currency"] == currency:
            return row["amount_currency"]
        return currency.round(row["amount"] * rate)

    @api.model
    def _letter_credits(self, notices):
        """Open credits of each notice's customer: {partner id: [values]}, one query."""
        if not notices:
            return {}
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("company_id", "in", notices.company_id.ids),
                    ("partner_id.commercial_partner_id", "in", notices.partner_id.ids),
                    ("parent_state", "=", "posted"),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("reconciled", "=", False),
                    ("amount_residual", "<", 0),
                ],
                order="date, id",
            )
        )
        credits = {}
        for line in lines:
            credits.setdefault(line.partner_id.commercial_partner_id.id, []).append(
                {
                    "name": line.move_id.name,
                    "ref": line.move_id.ref or "",
                    "date": line.move_id.invoice_date or line.date,
                    "company_id": line.company_id.id,
                    "amount": -line.amount_residual,
                    "amount_currency": -line.amount_residual_currency,
                    "line_currency": line.currency_id,
                }
            )
        return credits

    @api.model
    def _letter_payee(self, notice):
        """Whom the letter asks to pay: {"name", "bank", "reference", "factor"}.

        The one place that decides it, for the letter, its QR code and the portal.
        Invoices sold to a factor are paid to the factor: its account and its
        reference (`account.move._dunning_payee`), never ours. A notice that mixes
        them with others, or another factor's, names no account at all (and has no
        QR code): the invoices each say whom they are paid to.
        """
        moves = notice.line_ids.move_id
        factors = moves.dunning_factor_id
        if not factors:
            bank = self._letter_bank(notice)
            return {
                "name": bank.acc_holder_name or notice.company_id.name,
                "bank": bank,
                "reference": notice.payment_reference or "",
                "factor": False,
            }
        Bank = self.env["res.partner.bank"]
        if len(factors) > 1 or not all(moves.mapped("dunning_factor_id")):
            return {"name": "", "bank": Bank, "reference": "", "factor": factors[:1]}
        references = {move._dunning_payee()[2] for move in moves}
        factor, bank, _reference = moves[0]._dunning_payee()
        return {
            "name": bank.acc_holder_name or factor.name,
            "bank": bank,
            "reference": ", ".join(sorted(references)),
            "factor": factor,
        }

    @api.model
    def _letter_bank(self, notice):
        """The account the customer pays to: the invoices' own, else the company's."""
        company = notice.company_id
        return (
            notice.line_ids.move_id.partner_bank_id[:1]
            or (
                company.partner_id.bank_ids.filtered(
                    lambda bank: bank.company_id in (company, bank.company_id.browse())
                )[:1]
            )
        )

    @api.model
    def _letter_qr_image(self, notice, payee, amount, currency):
        """EPC QR code (data URI) paying `amount` to `payee` (`_letter_payee`);
        False if it cannot (euros only)."""
        bank = payee["bank"]
        if not bank or amount <= 0:
            return False
        try:
            payload = reference.epc_qr_payload(
                name=payee["name"],
                iban=bank.acc_number,
                bic=bank.bank_bic or "",
                amount=amount,
                currency=currency.name,
                reference=payee["reference"],
                text=notice.name,
            )
        except DunningRuleError as error:
            _logger.info("No payment QR code on %s: %s", notice.name, error)
            return False
        # EPC069-12 asks for error correction level M. The qrcode library makes
        # the PNG ten times faster than reportlab's barcode (ir.actions.report).
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=4, border=1)
        code.add_data(payload)
        code.make(fit=True)
        stream = io.BytesIO()
        code.make_image().save(stream, format="PNG")
        png = stream.getvalue()
        return "data:image/png;base64," + base64.b64encode(png).decode()

    # ------------------------------------------------------------------ PDF
    @api.model
    def _render_letters(self, notices):
        """Render and keep the letters of issued notices, in few wkhtmltopdf calls.

        The report keeps each issued notice's PDF as its attachment, which the
        e-mail then attaches without rendering it again. Debian's wkhtmltopdf makes
        one PDF of all letters (see IrActionsReport._prepare_html): it is split
        here at the first page of each letter, the page showing its reference.
        Returns {notice: error} for the letters that came out broken: nothing of
        theirs is kept (IrActionsReport._run_wkhtmltopdf), they are tried again.
        """
        broken = {}
        for start in range(0, len(notices), _RENDER_BATCH):
            batch = notices[start : start + _RENDER_BATCH]
            kept = self.env["ir.attachment"].search(
                [("res_model", "=", batch._name), ("res_id", "in", batch.ids)]
            )
            # Oldest first: a letter may name an older notice (costs claimed on
            # it, an earlier letter), never a newer one, so each letter's first
            # page is found.
            todo = batch.filtered(
                lambda n, kept=kept: (
                    n.state == "issued" and n.id not in kept.mapped("res_id")
                )
            ).sorted("id")
            if not todo:
                continue
            try:
                with self.env.cr.savepoint():
                    self._render_batch(todo)
            except DunningLetterRenderError as error:
                _logger.warning("Dunning letters not rendered: %s", error)
                broken.update(dict.fromkeys(todo, str(error)))
        return broken

    @api.model
    def _render_batch(self, notices):
        """The letters of `notices` (none kept yet) rendered and kept."""
        Report = self.env["ir.actions.report"]
        if len(notices) < 2 or not notices._letter_layout()["header_in_body"]:
            Report._render_qweb_pdf(LETTER_REPORT, res_ids=notices.ids)
            return
        content, kind = Report.with_context(
            report_pdf_no_attachment=True
        )._render_qweb_pdf(LETTER_REPORT, res_ids=notices.ids)
        if kind != "pdf":
            return
        streams = self._split_letters(content, notices)
        report = Report._get_report(LETTER_REPORT)
        values = Report._prepare_pdf_report_attachment_vals_list(report, streams)
        # sudo: the notices were read; no access check per notice (a query each)
        self.env["ir.attachment"].sudo().create(values)

    @api.model
    def _split_letters(self, content, notices):
        """{notice id: {'stream', 'attachment'}}: each letter's pages of one PDF."""
        return self._split_pdf(content, notices, "letters")

    @api.model
    def _split_pdf(self, content, records, what):
        """{record id: {'stream', 'attachment'}}: each record's pages of one PDF.

        A record starts on the first page that shows its name (a letter's
        reference, an invoice's number), after the previous one's start; empty
        if a name is not found.
        """
        reader = PdfFileReader(io.BytesIO(content))
        starts = _starts(_pages_text(content, reader), records)
        if starts is None:
            _logger.info("Dunning %s not split: not all of %s found", what, records)
            return {}
        streams = {}
        for index, record in enumerate(records):
            end = starts[index + 1] if index + 1 < len(starts) else len(reader.pages)
            writer = PdfFileWriter()
            add_page = getattr(writer, "add_page", None) or writer.addPage
            for number in range(starts[index], end):
                add_page(reader.pages[number])
            stream = io.BytesIO()
            writer.write(stream)
            streams[record.id] = {"stream": stream, "attachment": None}
        return streams

    # ------------------------------------------------------------------ footer
    @api.model
    def _letter_footer(self, notice):
        """The company's legal line at the bottom of each page of its letters."""
        company = notice.company_id
        parts = [company.name]
        if company.vat:
            parts.append(f"{company.country_id.vat_label or 'VAT'} {company.vat}")
        parts += [
            value
            for value in (company.company_registry, company.email, company.website)
            if value
        ]
        return " · ".join(parts)

    @api.model
    def _stamp_letters(self, content, notices):
        """The letters' PDF with the company's footer and "Page 1 of 2" on each page.

        Debian's wkhtmltopdf prints no footer: each letter's pages (split at the
        page that shows its reference, as _split_pdf does) get them drawn in the
        bottom margin, numbered per letter, in the customer's language. Unchanged
        if the letters cannot be told apart.
        """
        reader = PdfFileReader(io.BytesIO(content))
        count = reader.getNumPages()
        starts = (
            [0] if len(notices) == 1 else _starts(_pages_text(content, reader), notices)
        )
        if starts is None:
            _logger.info("Dunning letters not numbered: not all of %s found", notices)
            return content
        packet = io.BytesIO()
        can = canvas.Canvas(packet)
        font = _footer_font()
        for index, notice in enumerate(notices):
            end = starts[index + 1] if index + 1 < len(starts) else count
            env = self.with_context(lang=notice.partner_id.lang or self.env.lang).env
            footer = self._letter_footer(notice)
            for number in range(starts[index], end):
                box = reader.getPage(number).mediaBox
                width, height = float(abs(box.getWidth())), float(abs(box.getHeight()))
                can.setPageSize((width, height))
                can.setFillColor(Color(0.42, 0.46, 0.49))
                can.setStrokeColor(Color(0.8, 0.8, 0.8))
                can.setLineWidth(0.5)
                can.line(15 * mm, 15 * mm, width - 15 * mm, 15 * mm)
                can.setFont(font, 7.5)
                can.drawCentredString(width / 2, 11 * mm, footer)
                can.drawRightString(
                    width - 15 * mm,
                    7 * mm,
                    env._(
                        "Page %(page)s of %(pages)s",
                        page=number - starts[index] + 1,
                        pages=end - starts[index],
                    ),
                )
                can.showPage()
        can.save()
        stamps = PdfFileReader(packet)
        writer = PdfFileWriter()
        for number in range(count):
            page = reader.getPage(number)
            _overlay(writer, page, stamps.getPage(number))
            writer.addPage(page)
        stream = io.BytesIO()
        writer.write(stream)
        return stream.getvalue()

    @api.model
    def _report_attachments(self, template, records):
        """{record id: [(file name, content)]}: the reports `template` attaches to
        the e-mail of each record, named as mail.template names them.

        A report kept as an attachment (the letter of an issued notice, kept when
        it was rendered) is read, for all records in one query; another is
        rendered, record by record, as mail.template does.
        """
        Report = self.env["ir.actions.report"]
        result = {record.id: [] for record in records}
        for report in template.report_template_ids:
            kept = self._kept_reports(report, records)
            for record in records:
                if record.id in kept:
                    content, kind = kept[record.id].raw, "pdf"
                elif report.report_type in ("qweb-html", "qweb-pdf"):
                    content, kind = Report._render_qweb_pdf(report, [record.id])
                else:
                    content, kind = Report._render(report, [record.id])
                name = report.name
                if report.print_report_name:
                    name = safe_eval(
                        report.print_report_name, {"object": record, "time": time}
                    )
                if not name.endswith(f".{kind}"):
                    name += f".{kind}"
                result[record.id].append((name, content))
        return result

    @api.model
    def _kept_reports(self, report, records):
        """{record id: attachment}: the PDF of `report` kept for each record (as
        IrActionsReport._retrieve_attachment finds it), one query for all."""
        if not (report.attachment_use and report.attachment):
            return {}
        names = {}
        for record in records:
            name = safe_eval(report.attachment, {"object": record, "time": time})
            if name:
                names[record.id] = name
        if not names:
            return {}
        found = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", report.model),
                    ("res_id", "in", list(names)),
                    ("name", "in", list(set(names.values()))),
                ],
                order="id",
            )
        )
        kept = {}
        for attachment in found:
            if names[attachment.res_id] == attachment.name:
                kept.setdefault(attachment.res_id, attachment)
        return kept

    @api.model
    def _invoice_pdfs(self, moves):
        """{invoice id: (file name, PDF)}: the PDF sent with the invoice if any,
        else rendered now, all of them in one wkhtmltopdf call."""
        result = {}
        for move in moves.filtered("invoice_pdf_report_id"):
            attachment = move.invoice_pdf_report_id.sudo()
            result[move.id] = (attachment.name, attachment.raw)
        rest = (moves - moves.filtered("invoice_pdf_report_id")).sorted("id")
        if not rest:
            return result
        Report = self.env["ir.actions.report"].sudo()
        if len(rest) > 1:
            # One wkhtmltopdf call (Debian's: one joined body); Odoo splits it per
            # invoice when each is one page (web fonts leave no text to split by).
            streams, kind = Report.with_context(
                dunning_join_bodies=True
            )._pre_render_qweb_pdf(INVOICE_REPORT, res_ids=rest.ids)
            if kind == "pdf":
                for move in rest:
                    stream = streams.get(move.id, {}).get("stream")
                    if stream:
                        result[move.id] = (
                            move._get_invoice_report_filename(),
                            stream.getvalue(),
                        )
        for move in rest.filtered(lambda m: m.id not in result):  # not split
            content, kind = Report._render_qweb_pdf(INVOICE_REPORT, move.ids)
            result[move.id] = (move._get_invoice_report_filename(kind), content)
        return result
