"""Portal: customers dispute an invoice and propose a payment arrangement."""

from datetime import timedelta

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.debtor_dunning_arrangement import FREQUENCIES, MAX_PORTAL_INSTALMENTS
from ..models.debtor_dunning_dispute import REASONS
from .portal import render_in_customer_lang


class DunningDisputePortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        for counter, model in (
            ("dunning_dispute_count", "debtor.dunning.dispute"),
            ("dunning_arrangement_count", "debtor.dunning.arrangement"),
        ):
            if counter in counters:
                Model = request.env[model]
                values[counter] = (
                    Model.search_count(self._dunning_own_domain(), limit=1)
                    if Model.has_access("read")
                    else 0
                )
        return values

    def _dunning_own_domain(self):
        return [("partner_id", "=", request.env.user.commercial_partner_id.id)]

    def _dunning_overdue_invoices(self):
        """The customer's overdue invoices that may go into an arrangement."""
        Move = request.env["account.move"].sudo()
        today = fields.Date.context_today(request.env.user)
        return Move.search(
            Move._dunning_arrangeable_domain(request.env.user.commercial_partner_id)
            + [("invoice_date_due", "<", today)],
            order="invoice_date_due, id",
        )

    def _dunning_list(self, model, url, page, page_name):
        Model = request.env[model]
        domain = self._dunning_own_domain()
        total = Model.search_count(domain) if Model.has_access("read") else 0
        pager = portal_pager(url=url, total=total, page=page, step=self._items_per_page)
        records = (
            Model.search(domain, limit=self._items_per_page, offset=pager["offset"])
            if total
            else Model
        )
        values = self._prepare_portal_layout_values()
        values.update({"records": records, "pager": pager, "page_name": page_name})
        return values

    # ------------------------------------------------------------------ disputes
    @http.route(
        ["/my/disputes", "/my/disputes/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_disputes(self, page=1, **kw):
        values = self._dunning_list(
            "debtor.dunning.dispute", "/my/disputes", page, "dunning_dispute"
        )
        values["reasons"] = dict(REASONS)
        return request.render("debtor_dunning.portal_my_disputes", values)

    @http.route(
        ["/my/disputes/<int:dispute_id>"], type="http", auth="public", website=True
    )
    def portal_my_dispute(self, dispute_id, access_token=None, **kw):
        try:
            dispute = self._document_check_access(
                "debtor.dunning.dispute", dispute_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        render_in_customer_lang(dispute.partner_id)
        values = self._get_page_view_values(
            dispute,
            access_token,
            {"page_name": "dunning_dispute", "dispute": dispute},
            "my_disputes_history",
            False,
            **kw,
        )
        return request.render("debtor_dunning.portal_dispute_page", values)

    @http.route(
        ["/my/invoices/<int:invoice_id>/dispute"],
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_dispute_invoice(self, invoice_id, access_token=None, **post):
        """The form to dispute an invoice; posted, it opens the dispute."""
        try:
            invoice = self._document_check_access(
                "account.move", invoice_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        env = request.env
        if not invoice._dunning_is_open():
            return request.redirect(invoice.get_portal_url())
        open_dispute = invoice.dunning_dispute_ids.filtered(lambda d: d.state == "open")
        if open_dispute:
            return request.redirect(open_dispute[0].get_portal_url())
        error = None
        if request.httprequest.method == "POST":
            reason = post.get("reason")
            note = (post.get("note") or "").strip()
            if reason not in dict(REASONS):
                error = env._("Choose what you dispute.")
            elif not note:
                error = env._(
                    "Tell us what is wrong, so that we can settle it quickly."
                )
            else:
                try:
                    with env.cr.savepoint():
                        dispute = (
                            env["debtor.dunning.dispute"]
                            .sudo()
                            .create(
                                {
                                    "move_id": invoice.id,
                                    "reason": reason,
                                    "note": note,
                                    "source": "portal",
                                }
                            )
                        )
                except (UserError, ValidationError) as exception:
                    error = exception.args[0]
                else:
                    dispute.message_subscribe(partner_ids=env.user.partner_id.ids)
                    return request.redirect(dispute.access_url)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "dunning_dispute",
                "invoice": invoice,
                "access_token": access_token,
                "reasons": REASONS,
                "error": error,
                "post": post,
            }
        )
        return request.render("debtor_dunning.portal_dispute_form", values)

    # ------------------------------------------------------------------ arrangements
    @http.route(
        ["/my/arrangements", "/my/arrangements/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_arrangements(self, page=1, **kw):
        values = self._dunning_list(
            "debtor.dunning.arrangement",
            "/my/arrangements",
            page,
            "dunning_arrangement",
        )
        values["can_propose"] = bool(self._dunning_overdue_invoices())
        return request.render("debtor_dunning.portal_my_arrangements", values)

    @http.route(
        ["/my/arrangements/<int:arrangement_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_arrangement(self, arrangement_id, access_token=None, **kw):
        try:
            arrangement = self._document_check_access(
                "debtor.dunning.arrangement", arrangement_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        render_in_customer_lang(arrangement.partner_id)
        values = self._get_page_view_values(
            arrangement,
            access_token,
            {"page_name": "dunning_arrangement", "arrangement": arrangement},
            "my_arrangements_history",
            False,
            **kw,
        )
        return request.render("debtor_dunning.portal_arrangement_page", values)

    @http.route(
        ["/my/arrangements/propose"],
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_propose_arrangement(self, **post):
        """The customer proposes to pay overdue invoices in instalments."""
        env = request.env
        invoices = self._dunning_overdue_invoices()
        error = None
        if request.httprequest.method == "POST":
            chosen_ids = {
                int(value)
                for value in request.httprequest.form.getlist("invoice_ids")
                if value.isdecimal()
            }
            chosen = invoices.filtered(lambda m: m.id in chosen_ids)
            count = post.get("instalment_count", "")
            try:
                first_date = fields.Date.to_date(post.get("first_date") or None)
            except ValueError:  # not a date, or past 9999: the model says so
                first_date = None
            try:
                arrangement = (
                    env["debtor.dunning.arrangements"]
                    .sudo()
                    ._portal_proposal(
                        env.user,
                        chosen,
                        int(count) if count.isdecimal() else None,
                        post.get("frequency"),
                        first_date,
                    )
                )
            except (UserError, ValidationError) as exception:
                error = exception.args[0]
            else:
                return request.redirect(arrangement.access_url)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "dunning_arrangement",
                "invoices": invoices,
                "frequencies": FREQUENCIES,
                "max_instalments": MAX_PORTAL_INSTALMENTS,
                "error": error,
                "post": post,
                "chosen_ids": set(
                    int(value)
                    for value in request.httprequest.form.getlist("invoice_ids")
                    if value.isdecimal()
                )
                if request.httprequest.method == "POST"
                else set(invoices.ids),
                "default_first_date": fields.Date.context_today(env.user)
                + timedelta(days=7),
            }
        )
        return request.render("debtor_dunning.portal_arrangement_propose", values)
