"""Portal: customers see their dunning notices and overdue invoices, and pay them."""

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

LETTER_REPORT = "debtor_dunning.debtor_dunning_notice_action_report"


def render_in_customer_lang(partner):
    """Render in the customer's language, also for a colleague's preview: the page
    says what the customer reads (Odoo's frontend follows the user's)."""
    lang = partner.commercial_partner_id.lang or partner.lang
    if lang and request.env["res.lang"]._lang_get(lang):
        request.update_context(lang=lang)


class DunningNoticePortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "dunning_notice_count" in counters:
            Notice = request.env["debtor.dunning.notice"]
            values["dunning_notice_count"] = (
                Notice.search_count(self._dunning_notice_domain())
                if Notice.has_access("read")
                else 0
            )
        return values

    def _dunning_notice_domain(self):
        """The issued notices of the user's company (its commercial partner)."""
        return [
            ("state", "=", "issued"),
            ("partner_id", "=", request.env.user.commercial_partner_id.id),
        ]

    def _dunning_open_invoices(self, partner, overdue_only=True):
        """The customer's open invoices (overdue ones only by default), oldest first.

        Read as superuser: the user belongs to the customer, and every line links
        to the invoice's own page with its access token.
        """
        domain = request.env["account.move"]._dunning_open_domain() + [
            ("commercial_partner_id", "=", partner.id)
        ]
        if overdue_only:
            today = fields.Date.context_today(request.env.user)
            domain.append(("invoice_date_due", "<", today))
        return (
            request.env["account.move"]
            .sudo()
            .search(domain, order="invoice_date_due, id")
        )

    def _dunning_can_pay_online(self, company):
        """True if a payment provider is enabled for the company (account_payment)."""
        if "payment.provider" not in request.env:
            return False
        return bool(
            request.env["payment.provider"]
            .sudo()
            .search_count(
                [
                    ("state", "in", ("enabled", "test")),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
        )

    @http.route(
        ["/my/dunning", "/my/dunning/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_dunning_notices(self, page=1, **kw):
        Notice = request.env["debtor.dunning.notice"]
        domain = self._dunning_notice_domain()
        total = Notice.search_count(domain) if Notice.has_access("read") else 0
        pager = portal_pager(
            url="/my/dunning", total=total, page=page, step=self._items_per_page
        )
        notices = (
            Notice.search(domain, limit=self._items_per_page, offset=pager["offset"])
            if total
            else Notice
        )
        partner = request.env.user.commercial_partner_id
        render_in_customer_lang(partner)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "notices": notices.sudo(),
                "invoices": self._dunning_open_invoices(partner),
                "pager": pager,
                "page_name": "dunning",
            }
        )
        return request.render("debtor_dunning.portal_my_dunning_notices", values)

    @http.route(
        ["/my/dunning/<int:notice_id>"], type="http", auth="public", website=True
    )
    def portal_my_dunning_notice(
        self, notice_id, access_token=None, report_type=None, download=False, **kw
    ):
        try:
            notice = self._document_check_access(
                "debtor.dunning.notice", notice_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if notice.state != "issued":
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=notice,
                report_type=report_type,
                report_ref=LETTER_REPORT,
                download=download,
            )
        render_in_customer_lang(notice.partner_id)
        open_invoices = self._dunning_open_invoices(notice.partner_id, False)
        values = self._get_page_view_values(
            notice,
            access_token,
            {
                "notice": notice,
                "letter": notice._letter_values("html")[notice.id],
                "open_invoices": open_invoices,
                "can_pay_online": self._dunning_can_pay_online(notice.company_id),
                "page_name": "dunning_notice",
            },
            "my_dunning_history",
            False,
            **kw,
        )
        return request.render("debtor_dunning.portal_my_dunning_notice", values)
