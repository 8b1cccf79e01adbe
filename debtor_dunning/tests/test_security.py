from odoo.tests import new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestSecurity(DunningCommon):
    def test_dunning_user_can_invoice_but_not_configure_accounting(self):
        user = self.dunning_user
        self.assertTrue(user.has_group("account.group_account_invoice"))
        self.assertFalse(user.has_group("account.group_account_manager"))
        self.assertFalse(user.has_group("debtor_dunning.debtor_dunning_group_manager"))

    def test_dunning_manager_implies_user_and_accounting_manager(self):
        manager = self.dunning_manager
        self.assertTrue(manager.has_group("debtor_dunning.debtor_dunning_group_user"))
        self.assertTrue(manager.has_group("account.group_account_manager"))

    def test_dunning_menu_sits_under_customers_for_dunning_users_only(self):
        menu = self.env.ref("debtor_dunning.debtor_dunning_menu_root")
        self.assertEqual(
            menu.parent_id, self.env.ref("account.menu_finance_receivables")
        )
        visible = (
            self.env["ir.ui.menu"].with_user(self.dunning_user)._visible_menu_ids()
        )
        self.assertIn(menu.id, visible)
        plain = new_test_user(
            self.env,
            login="plain_invoicing_user",
            groups="account.group_account_invoice",
        )
        hidden = self.env["ir.ui.menu"].with_user(plain)._visible_menu_ids()
        self.assertNotIn(menu.id, hidden)
