from odoo.tools import SQL


def pre_init_hook(env):
    """Create and fill res_partner.dunning_debtor_type in SQL: fast on big books.

    The same default as res.partner._dunning_default_debtor_type: a company is a
    business, anyone else a consumer (the ORM computes it for partners made later).
    """
    env.cr.execute(
        SQL(
            """ALTER TABLE res_partner
                   ADD COLUMN IF NOT EXISTS dunning_debtor_type varchar;
               UPDATE res_partner p
                  SET dunning_debtor_type = CASE WHEN c.is_company THEN 'business'
                                                 ELSE 'consumer' END
                 FROM res_partner c
                WHERE c.id = COALESCE(p.commercial_partner_id, p.id)"""
        )
    )


def post_init_hook(env):
    """Every existing company gets the standard four-level policy."""
    Policy = env["debtor.dunning.policy"]
    for company in env["res.company"].search([]):
        Policy._create_default(company)
