from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, *args, **kwargs):
        """A dunning notice's e-mail state follows its mail, in the same transaction."""
        dunning = self.filtered(lambda mail: mail.model == "debtor.dunning.notice")
        if dunning:
            notices = (
                self.env["debtor.dunning.notice"]
                .sudo()
                .search([("mail_id", "in", dunning.ids)])
            )
            self.env["debtor.dunning.sending"].sudo()._sync_email_state(notices)
        # 19.0 adds success_emails after success_pids: passed on as it comes.
        return super()._postprocess_sent_message(success_pids, *args, **kwargs)
