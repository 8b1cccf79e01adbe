"""18.0.1.4.0: four-eyes approval of the legal steps; registered mail.

The shipped notice of default and the hand-over level (by their flag and English
name, as `debtor.dunning.level._default_*_vals` make them) now require approval by a
second user; their notices still proposed wait for it.
"""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """UPDATE debtor_dunning_level
                  SET requires_approval = TRUE
                WHERE hand_over OR name->>'en_US' = 'Notice of default'"""
        )
    )
    # The notice of default goes by registered mail (aangetekend).
    cr.execute(
        SQL(
            """UPDATE debtor_dunning_level SET registered_mail = TRUE
                WHERE name->>'en_US' = 'Notice of default' AND send_letter"""
        )
    )
    cr.execute(
        SQL(
            """UPDATE debtor_dunning_notice n
                  SET approval_state = 'waiting'
                 FROM debtor_dunning_level l
                WHERE l.id = n.level_id AND l.requires_approval
                  AND n.state = 'draft' AND n.approval_state = 'none'"""
        )
    )
