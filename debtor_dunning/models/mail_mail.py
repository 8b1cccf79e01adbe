from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        """A dunning notice's e-mail state follows its mail, in the same transaction."""
        dunning = self.filtered(lambda mail: mail.model == "debtor.dunning.notice")
        if dunning:
            notices = (
                self.env["debtor.dunning.notice"]
                .sudo()
                .search([("mail_id", "in", dunning.ids)])
            )
            self.env["debtor.dunning.sending"].sudo()._sync_email_state(notices)
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
