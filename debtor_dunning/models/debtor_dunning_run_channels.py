"""A run's channels: send its e-mails, print and post its letters."""

from odoo import fields, models
from odoo.exceptions import UserError


class DebtorDunningRun(models.Model):
    _inherit = "debtor.dunning.run"

    email_to_send_count = fields.Integer(compute="_compute_channel_counts")
    email_failed_count = fields.Integer(compute="_compute_channel_counts")
    letter_to_print_count = fields.Integer(compute="_compute_channel_counts")
    letter_printed_count = fields.Integer(compute="_compute_channel_counts")

    def _compute_channel_counts(self):
        Notice = self.env["debtor.dunning.notice"]
        issued = [("run_id", "in", self.ids), ("state", "=", "issued")]
        emails = {
            (run.id, state): count
            for run, state, count in Notice._read_group(
                issued, ["run_id", "email_state"], ["__count"]
            )
        }
        letters = {
            (run.id, state): count
            for run, state, count in Notice._read_group(
                issued, ["run_id", "letter_state"], ["__count"]
            )
        }
        for run in self:
            run.email_to_send_count = emails.get((run.id, "to_send"), 0)
            run.email_failed_count = emails.get((run.id, "failed"), 0)
            run.letter_to_print_count = letters.get((run.id, "to_print"), 0)
            run.letter_printed_count = letters.get((run.id, "printed"), 0)

    def _issued_notices(self):
        return self.notice_ids.filtered(lambda n: n.state == "issued")

    def action_send_notices(self):
        """E-mail the run's issued notices that wait for it (failed ones again)."""
        return self._issued_notices().action_send()

    def action_print_letters(self):
        """The run's letters to print, as one PDF."""
        letters = self._issued_notices().filtered(
            lambda n: n.letter_state == "to_print"
        )
        if not letters:
            raise UserError(self.env._("This run has no letter left to print."))
        return letters.action_print_letters()

    def action_mark_letters_posted(self):
        """The run's printed letters went in the post today."""
        return self._issued_notices().action_mark_posted()
