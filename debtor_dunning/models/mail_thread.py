from markupsafe import Markup, escape

from odoo import fields, models, tools
from odoo.tools import SQL

from . import bulk


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _dunning_log_batch(self, bodies):
        """Internal notes on many records in one INSERT: {record id: body}.

        What `_message_log_batch` logs (a note by the current user, no notification,
        no follower), without the ORM's work per message: a run issues thousands of
        notices and each gets its trace. Bodies that are not Markup are escaped.
        """
        if not bodies:
            return
        author = self.env.user.partner_id
        ids = list(bodies)
        self.env.execute_query(
            SQL(
                """INSERT INTO mail_message
                       (model, res_id, body, message_type, subtype_id, is_internal,
                        author_id, email_from, email_add_signature, reply_to_force_new,
                        message_id, date, create_uid, write_uid, create_date,
                        write_date)
                   SELECT %(model)s, v.res_id, v.body, 'notification', %(subtype)s,
                          TRUE, %(author)s, %(email_from)s, FALSE, FALSE, v.message_id,
                          %(now)s, %(uid)s, %(uid)s, %(now)s, %(now)s
                     FROM unnest(%(res_ids)s::int[], %(bodies)s::text[],
                                 %(message_ids)s::varchar[])
                          AS v(res_id, body, message_id)""",
                model=self._name,
                subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author=author.id or None,
                email_from=author.email_formatted or None,
                now=fields.Datetime.now(),
                uid=self.env.uid,
                res_ids=bulk.array(ids),
                bodies=bulk.array(
                    str(
                        body
                        if isinstance(body, Markup)
                        else Markup("<p>%s</p>") % escape(body)
                    )
                    for body in bodies.values()
                ),
                message_ids=bulk.array(
                    tools.mail.generate_tracking_message_id(f"{res_id}-{self._name}")
                    for res_id in ids
                ),
            )
        )
        self.browse(ids).invalidate_recordset(["message_ids"])
