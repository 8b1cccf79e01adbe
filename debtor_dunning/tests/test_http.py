from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestHttp(HttpCase):
    def test_login_page_is_served(self):
        response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 200)

    def test_dunning_user_opens_the_overdue_invoices(self):
        self.authenticate("accountant", "accountant")
        action = self.env.ref("debtor_dunning.account_move_action_overdue")
        response = self.url_open(f"/odoo/action-{action.id}")
        self.assertEqual(response.status_code, 200)
        count = self.make_jsonrpc_request(
            "/web/dataset/call_kw/account.move/search_count",
            {
                "model": "account.move",
                "method": "search_count",
                "args": [[("move_type", "=", "out_invoice")]],
                "kwargs": {},
            },
        )
        self.assertGreaterEqual(count, 30)
