from odoo import Command, api, models

from .. import compat


class ResGroups(models.Model):
    _inherit = "res.groups"

    # Called by <function> in the add-on's data files, where the field names of
    # Odoo 18.0 and 19.0 differ (compat.py).

    def _dunning_compat_file(self, category_id, privilege_xmlid, sequence=100):
        """These groups as the choices of the category's application."""
        category = self.env["ir.module.category"].browse(category_id)
        compat.file_groups(self, category, privilege_xmlid, sequence)

    def _dunning_compat_add_users(self, user_ids):
        """Add the users to these groups."""
        self.write({compat.GROUP_USERS: [Command.link(uid) for uid in user_ids]})

    @api.model
    def _dunning_compat_restrict(self, model, record_ids, group_ids):
        """Show the actions, menus or views only to the groups."""
        self.env[model].browse(record_ids).write(
            {compat.RECORD_GROUPS: [Command.link(gid) for gid in group_ids]}
        )
