from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class DunningCommon(AccountTestInvoicingCommon):
    """An invoicing company with a dunning user and a dunning manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.dunning_user = new_test_user(
            cls.env,
            login="dunning_user",
            groups="base.group_user,debtor_dunning.debtor_dunning_group_user",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )
        cls.dunning_manager = new_test_user(
            cls.env,
            login="dunning_manager",
            groups="base.group_user,debtor_dunning.debtor_dunning_group_manager",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )
