"""Rendering: the letters of many notices, and copies of their invoices, as PDF."""

import io
import logging

from odoo import api, models
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

_logger = logging.getLogger(__name__)

# Letters rendered per wkhtmltopdf call when many are e-mailed at once.
_RENDER_BATCH = 100
LETTER_REPORT = "debtor_dunning.debtor_dunning_notice_action_report"
INVOICE_REPORT = "account.account_invoices"


def _page_text(page):
    """The text of a PDF page (PyPDF2 2.x; 1.26 under Python 3.10)."""
    extract = getattr(page, "extract_text", None) or page.extractText
    return extract() or ""


class DebtorDunningRendering(models.AbstractModel):
    _name = "debtor.dunning.rendering"
    _description = "Dunning letters rendered as PDF"

    @api.model
    def _render_letters(self, notices):
        """Render the letters of many notices in few wkhtmltopdf calls.

        The report keeps each issued notice's PDF as its attachment, which the
        e-mail then attaches without rendering it again. Debian's wkhtmltopdf makes
        one PDF of all letters (see IrActionsReport._prepare_html): it is split
        here at the first page of each letter, the page showing its reference.
        """
        if len(notices) < 2:
            return
        Report = self.env["ir.actions.report"]
        for start in range(0, len(notices), _RENDER_BATCH):
            batch = notices[start : start + _RENDER_BATCH]
            if not batch._letter_layout()["header_in_body"]:
                Report._render_qweb_pdf(LETTER_REPORT, res_ids=batch.ids)
                continue
            kept = self.env["ir.attachment"].search(
                [("res_model", "=", batch._name), ("res_id", "in", batch.ids)]
            )
            # Oldest first: a letter may name an older notice (costs claimed on
            # it), never a newer one, so each letter's first page is found.
            todo = batch.filtered(
                lambda n, kept=kept: (
                    n.state == "issued" and n.id not in kept.mapped("res_id")
                )
            ).sorted("id")
            if len(todo) < 2:
                continue
            content, kind = Report.with_context(
                report_pdf_no_attachment=True
            )._render_qweb_pdf(LETTER_REPORT, res_ids=todo.ids)
            if kind != "pdf":
                continue
            streams = self._split_letters(content, todo)
            report = Report._get_report(LETTER_REPORT)
            values = Report._prepare_pdf_report_attachment_vals_list(report, streams)
            self.env["ir.attachment"].create(values)

    @api.model
    def _split_letters(self, content, notices):
        """{notice id: {'stream', 'attachment'}}: each letter's pages of one PDF.

        A letter starts on the first page that shows its reference, after the
        previous letter's start; empty if a reference is not found.
        """
        reader = PdfFileReader(io.BytesIO(content))
        starts, expected = [], list(notices)
        for number, page in enumerate(reader.pages):
            if expected and expected[0].name in _page_text(page):
                starts.append(number)
                expected.pop(0)
        if expected or not starts or starts[0] != 0:
            _logger.info("Dunning letters not split: %s not found", expected)
            return {}
        streams = {}
        for index, notice in enumerate(notices):
            end = starts[index + 1] if index + 1 < len(starts) else len(reader.pages)
            writer = PdfFileWriter()
            add_page = getattr(writer, "add_page", None) or writer.addPage
            for number in range(starts[index], end):
                add_page(reader.pages[number])
            stream = io.BytesIO()
            writer.write(stream)
            streams[notice.id] = {"stream": stream, "attachment": None}
        return streams

    @api.model
    def _invoice_pdfs(self, moves):
        """{invoice id: (file name, PDF)}: the PDF sent with the invoice if any,
        else rendered now, all of them in one wkhtmltopdf call when possible."""
        result = {}
        for move in moves.filtered("invoice_pdf_report_id"):
            attachment = move.invoice_pdf_report_id.sudo()
            result[move.id] = (attachment.name, attachment.raw)
        rest = moves - moves.filtered("invoice_pdf_report_id")
        if not rest:
            return result
        Report = self.env["ir.actions.report"].sudo()
        # Debian's wkhtmltopdf takes one document per call: one invoice at a time.
        together = (
            len(rest) > 1
            and not self.env["debtor.dunning.notice"]._letter_layout()["header_in_body"]
        )
        streams, kind = (
            Report._pre_render_qweb_pdf(INVOICE_REPORT, res_ids=rest.ids)
            if together
            else ({}, "pdf")
        )
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
