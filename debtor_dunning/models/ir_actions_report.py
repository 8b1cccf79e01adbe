import logging
import re
import threading
from contextlib import contextmanager

import lxml.html
from lxml import etree

from odoo import models
from odoo.exceptions import UserError

LETTER_REPORT = "debtor_dunning.report_dunning_notice"

# What wkhtmltopdf says when a letter came out incomplete: a style sheet, font or
# image it could not load (e.g. "Exit with code 1 due to network error:
# ConnectionRefusedError" when web.base.url names a port nobody answers on).
_LOAD_ERRORS = re.compile(
    r"Exit with code 1|network error|Failed to load|ConnectionRefused|HostNotFound"
    r"|ContentNotFound|ContentAccessDenied|ProtocolUnknown",
    re.IGNORECASE,
)
# Odoo logs wkhtmltopdf's messages (its stderr) here, and keeps the PDF.
_REPORT_LOGGER = "odoo.addons.base.models.ir_actions_report"


class DunningLetterRenderError(UserError):
    """A letter rendered with errors: it is refused, never kept or sent."""


class _ThreadMessages(logging.Handler):
    """The messages logged by the current thread while it is attached."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages = []

    def emit(self, record):
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextmanager
def _wkhtmltopdf_messages():
    """The warnings Odoo logs about one wkhtmltopdf call, whatever the log level."""
    logger = logging.getLogger(_REPORT_LOGGER)
    handler, level = _ThreadMessages(), logger.level
    if not logger.isEnabledFor(logging.WARNING):
        logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _prepare_html(self, html, report_model=False):
        """Several dunning letters go to Debian's wkhtmltopdf as one body.

        Its unpatched Qt takes one input document per call; the letters are joined,
        each from a new page. Odoo still splits the PDF into the notices' own ones
        when each letter is one page. The context key `dunning_join_bodies` does the
        same for another report (the invoice copies attached to the e-mails).
        """
        result = super()._prepare_html(html, report_model=report_model)
        letters = self.report_name == LETTER_REPORT
        if (
            not result
            or not (letters or self.env.context.get("dunning_join_bodies"))
            or not self.env["debtor.dunning.notice"]._letter_layout()["header_in_body"]
        ):
            return result
        bodies, res_ids, header, footer, paperformat_args = result
        if letters:
            # _run_wkhtmltopdf numbers each letter's pages and adds its footer.
            paperformat_args = dict(paperformat_args or {}, dunning_letter_ids=res_ids)
        if len(bodies) > 1:
            bodies = [_join_bodies(bodies)]
        return bodies, res_ids, header, footer, paperformat_args

    def get_paperformat_by_xmlid(self, xml_id):
        """As Odoo's, without a query per document: web.minimal_layout asks for
        it once per letter of a batch, and env.ref checks the report exists each
        time; ir.model.data's cache names it."""
        if not xml_id:
            return super().get_paperformat_by_xmlid(xml_id)
        model, res_id = self.env["ir.model.data"]._xmlid_to_res_model_res_id(
            xml_id, raise_if_not_found=True
        )
        return self.env[model].browse(res_id).get_paperformat()

    def _run_wkhtmltopdf(
        self,
        bodies,
        report_ref=False,
        header=None,
        footer=None,
        landscape=False,
        specific_paperformat_args=None,
        set_viewport_size=False,
    ):
        """A dunning letter rendered with errors is refused, never kept.

        Odoo keeps a PDF whatever wkhtmltopdf could not load; an issued notice would
        then freeze an unstyled letter and give it by e-mail, post and portal. The
        error says what to check; the e-mail is tried again later (sending service).
        """
        report = self._get_report(report_ref) if report_ref else self
        args = (header, footer, landscape, specific_paperformat_args, set_viewport_size)
        if report.report_name != LETTER_REPORT:
            return super()._run_wkhtmltopdf(bodies, report_ref, *args)
        with _wkhtmltopdf_messages() as messages:
            pdf = super()._run_wkhtmltopdf(bodies, report_ref, *args)
        errors = [line for line in messages if _LOAD_ERRORS.search(line)]
        if errors:
            found = _LOAD_ERRORS.findall(" ".join(errors))
            raise DunningLetterRenderError(
                self.env._(
                    "The dunning letter was not rendered completely: wkhtmltopdf "
                    "could not load %(url)s (%(error)s). The letter is not kept; check "
                    "that the system parameter web.base.url (or report.url) is the "
                    "address this Odoo server answers on.",
                    url=self._get_report_url(),
                    error=", ".join(dict.fromkeys(found)),
                )
            )
        ids = (specific_paperformat_args or {}).get("dunning_letter_ids")
        if ids:
            notices = self.env["debtor.dunning.notice"].browse(
                [res_id for res_id in ids if res_id]
            )
            pdf = self.env["debtor.dunning.rendering"]._stamp_letters(pdf, notices)
        return pdf


def _join_bodies(bodies):
    """One HTML document with the <body> content of all `bodies`, page by page."""
    document = lxml.html.document_fromstring(str(bodies[0]))
    body = document.find("body")
    for other in bodies[1:]:
        body.append(etree.Element("div", style="page-break-before: always;"))
        body.extend(list(lxml.html.document_fromstring(str(other)).find("body")))
    return lxml.html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>")
