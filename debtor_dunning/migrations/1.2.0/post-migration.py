"""18.0.1.2.0: letters that tell the truth, consumers under the law they live under.

The shipped texts of 18.0.1.0 and 1.1 that claimed an earlier letter whether or not the
customer had received one are replaced, the empty texts of the shipped consumer
ladder filled; companies under Dutch or Belgian law get the consumer policy of the
other country.
"""

from odoo import SUPERUSER_ID, api

# The English texts shipped up to 18.0.1.1.0 that claim an earlier step.
RETIRED = {
    "<p>We recently sent you a payment reminder, but we have not yet received "
    "payment of the invoices below. We ask you to pay the open amount in full by the "
    "date given below at the latest.</p>",
    "<p>Despite our reminders, the invoices below are still unpaid. With this letter "
    "we give you formal notice of default.</p><p>We give you one last opportunity to "
    "pay: please pay the total amount due within fourteen days from the day after you "
    "receive this letter.</p>",
    "<p>You have not responded to our notice of default: the invoices below, with "
    "the costs and interest, are still unpaid.</p><p>This is our final notice. If the "
    "total amount due has not reached our account by the date given below, we will "
    "hand the claim over to our collection agency without further notice. From then "
    "on you can only settle the debt with the agency, and its costs will be charged "
    "to you as far as the law allows.</p>",
    "<p>Despite our reminder we have not yet received payment of the invoices listed "
    "below. We ask you to pay the amount due within fourteen days, counting from the "
    "day after you received this letter.</p><p>If you do not pay within that term, "
    "we will charge you the collection costs stated in this letter, as the law allows "
    "(article 6:96 of the Dutch Civil Code), together with the statutory interest."
    "</p>",
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["debtor.dunning.level"].search([])._dunning_refresh_shipped_texts(RETIRED)
    Policy = env["debtor.dunning.policy"]
    for company in env["res.company"].search([]):
        if Policy.search_count([("company_id", "=", company.id)]):
            Policy._create_consumer_policies(company)
