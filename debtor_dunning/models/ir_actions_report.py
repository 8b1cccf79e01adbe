import lxml.html
from lxml import etree

from odoo import models

LETTER_REPORT = "debtor_dunning.report_dunning_notice"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _prepare_html(self, html, report_model=False):
        """Several dunning letters go to Debian's wkhtmltopdf as one body.

        Its unpatched Qt takes one input document per call; the letters are joined,
        each from a new page. Odoo still splits the PDF into the notices' own ones
        when each letter is one page.
        """
        result = super()._prepare_html(html, report_model=report_model)
        if (
            not result
            or self.report_name != LETTER_REPORT
            or len(result[0]) < 2
            or not self.env["debtor.dunning.notice"]._letter_layout()["header_in_body"]
        ):
            return result
        bodies, res_ids, header, footer, paperformat_args = result
        return [_join_bodies(bodies)], res_ids, header, footer, paperformat_args


def _join_bodies(bodies):
    """One HTML document with the <body> content of all `bodies`, page by page."""
    document = lxml.html.document_fromstring(str(bodies[0]))
    body = document.find("body")
    for other in bodies[1:]:
        body.append(etree.Element("div", style="page-break-before: always;"))
        body.extend(list(lxml.html.document_fromstring(str(other)).find("body")))
    return lxml.html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>")
