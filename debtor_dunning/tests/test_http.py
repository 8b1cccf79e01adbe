from odoo.tests import HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import DemoCase


@tagged("post_install", "-at_install")
class TestHttp(DemoCase, HttpCase):
    """The demo as its users reach it over HTTP, on the day the demo was loaded."""

    def test_login_page_is_served(self):
        response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 200)

    def test_dunning_user_opens_the_overdue_invoices(self):
        self.authenticate("accountant", "accountant")
        action = self.env.ref("debtor_dunning.account_move_action_overdue")
        response = self.url_open(f"/odoo/action-{action.id}")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("/web/login", response.url, "logged in, not sent to login")
        loaded = self.make_jsonrpc_request("/web/action/load", {"action_id": action.id})
        self.assertEqual(loaded["res_model"], "account.move")
        # The demo's posted customer invoices, as the action's domain finds them
        # for this user, and the overdue ones its default filter shows.
        domain = safe_eval(loaded["domain"])
        count = self.make_jsonrpc_request(
            "/web/dataset/call_kw/account.move/search_count",
            {
                "model": "account.move",
                "method": "search_count",
                "args": [domain],
                "kwargs": {},
            },
        )
        self.assertGreaterEqual(count, 30)
        overdue = self.make_jsonrpc_request(
            "/web/dataset/call_kw/account.move/search_count",
            {
                "model": "account.move",
                "method": "search_count",
                "args": [[*domain, ("dunning_state", "=", "overdue")]],
                "kwargs": {},
            },
        )
        self.assertGreaterEqual(overdue, 10)
