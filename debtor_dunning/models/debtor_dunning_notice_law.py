"""What a notice claims besides the invoices, and why it claims no more."""

from odoo import fields, models
from odoo.exceptions import UserError


class DebtorDunningNotice(models.Model):
    _inherit = "debtor.dunning.notice"

    announced_cost_amount = fields.Monetary(
        string="Costs Announced",
        currency_field="currency_id",
        readonly=True,
        help="A 14-day letter states the collection costs that will be claimed if the "
        "customer does not pay within its term (art. 6:96 lid 6 BW).",
    )
    charge_note = fields.Text(
        string="Costs and Interest Note",
        readonly=True,
        help="Why this notice claims no (or fewer) costs or interest than its level "
        "allows: the law's conditions that are not met yet.",
    )
    charge_move_id = fields.Many2one(
        "account.move",
        string="Charge Invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
        help="The invoice posted for this notice's costs and interest.",
    )

    def action_compute_charges(self):
        """Compute a proposed notice's costs and interest again (e.g. a new level)."""
        if self.filtered(lambda notice: notice.state != "draft"):
            raise UserError(
                self.env._("Only the charges of a proposed notice can be recomputed.")
            )
        self.env["debtor.dunning.escalation"]._compute_charges(self)
        return True

    def action_open_charge_waive(self):
        """Open the waiver wizard for these notices."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "debtor_dunning.debtor_dunning_charge_waive_action"
        )
        action["context"] = {
            "active_model": "debtor.dunning.notice",
            "active_ids": self.ids,
        }
        return action
