import re

from odoo import fields, models
from odoo.exceptions import UserError


class DebtorDunningNoticeRegistered(models.TransientModel):
    _name = "debtor.dunning.notice.registered"
    _description = "Record registered mail track and trace"

    notice_ids = fields.Many2many(
        "debtor.dunning.notice",
        "debtor_dunning_notice_registered_rel",
        "wizard_id",
        "notice_id",
        string="Notices",
    )
    tracking_number = fields.Char(
        string="Track and Trace", help="For one notice: its track-and-trace number."
    )
    delivered_date = fields.Date(string="Delivered On")
    pasted = fields.Text(
        string="Pasted List",
        help="One line per letter: the notice reference, the track-and-trace number "
        "and, if known, the delivery date (YYYY-MM-DD), separated by spaces, tabs, "
        "commas or semicolons.",
    )

    def _entries(self):
        """[(notice, number, delivered)] from the form: the single fields or the
        pasted list."""
        self.ensure_one()
        Notice = self.env["debtor.dunning.notice"]
        if self.tracking_number:
            if len(self.notice_ids) != 1:
                raise UserError(
                    self.env._(
                        "Track and Trace: one number is for one notice; paste a "
                        "list for several."
                    )
                )
            return [
                (self.notice_ids, self.tracking_number.strip(), self.delivered_date)
            ]
        entries = []
        for number, line in enumerate((self.pasted or "").splitlines(), start=1):
            parts = [p for p in re.split(r"[\s,;]+", line.strip()) if p]
            if not parts:
                continue
            if len(parts) < 2:
                raise UserError(
                    self.env._(
                        "Pasted List, line %(line)s: give the notice reference and "
                        "the track-and-trace number.",
                        line=number,
                    )
                )
            notice = Notice.search([("name", "=", parts[0])], limit=1)
            if not notice:
                raise UserError(
                    self.env._(
                        "Pasted List, line %(line)s: no notice %(ref)s.",
                        line=number,
                        ref=parts[0],
                    )
                )
            try:
                delivered = fields.Date.to_date(parts[2]) if len(parts) > 2 else None
            except ValueError:
                raise UserError(
                    self.env._(
                        "Pasted List, line %(line)s: %(day)s is not a date "
                        "(YYYY-MM-DD).",
                        line=number,
                        day=parts[2],
                    )
                ) from None
            entries.append((notice, parts[1], delivered))
        if not entries:
            raise UserError(
                self.env._("Track and Trace: enter a number or paste a list.")
            )
        return entries

    def action_confirm(self):
        self.env["debtor.dunning.sending"]._record_registered(self._entries())
        return {"type": "ir.actions.act_window_close"}
