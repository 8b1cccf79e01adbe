import io
import json
import re
import zipfile
from datetime import timedelta

from odoo.tests import freeze_time, tagged
from odoo.tools.misc import file_path

from .common import TUESDAY, DunningCommon

try:  # not among Odoo's requirements: validated by the small checker below then
    import jsonschema
except ImportError:  # pragma: no cover - depends on the virtualenv
    jsonschema = None

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
    "null": type(None),
}


def _type_ok(value, types):
    types = [types] if isinstance(types, str) else types
    for kind in types:
        if kind in ("integer", "number") and isinstance(value, bool):
            continue
        if isinstance(value, _TYPES[kind]):
            return True
    return False


def _value_errors(value, schema, path):
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    pattern = schema.get("pattern")
    if isinstance(value, str) and pattern and not re.search(pattern, value):
        errors.append(f"{path}: {value!r} does not match {pattern}")
    return errors


def schema_errors(value, schema, path="$"):
    """The subset of JSON Schema the dossier schema uses: type, required,
    properties, items, enum, pattern, minItems."""
    if "type" in schema and not _type_ok(value, schema["type"]):
        return [f"{path}: {value!r} is not of type {schema['type']}"]
    errors = _value_errors(value, schema, path)
    if isinstance(value, dict):
        errors += [
            f"{path}: {key} is required"
            for key in schema.get("required", ())
            if key not in value
        ]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                errors += schema_errors(value[key], sub, f"{path}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        for index, item in enumerate(value):
            errors += schema_errors(item, schema.get("items", {}), f"{path}[{index}]")
    return errors


@tagged("post_install", "-at_install")
class TestHandover(DunningCommon):
    """The hand-over level sends a dossier to the collection agency and opens a case."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._climb_by_age()
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "Incasso Test B.V.",
                "is_company": True,
                "email": "dossiers@incasso.example",
                "dunning_agency": True,
                "dunning_agency_commission": 10.0,
            }
        )
        cls.partner_a.write(
            {
                "vat": "NL004495445B01",
                "company_registry": "12345678",
                "email": "a@a.example",
            }
        )
        cls.move = cls._invoice(overdue=70, amount=1000.0)
        run = cls.service._propose(cls.company, TUESDAY)
        run.action_validate()
        cls.final = run.notice_ids.filtered(lambda n: n.state == "issued")
        cls.handover_day = cls.final.pay_by_date + timedelta(days=1)
        with freeze_time(cls.handover_day):
            cls.handed = cls.service._hand_over_due(cls.company, cls.handover_day)
        cls.case = cls.env["debtor.dunning.handover"].search(
            [("move_ids", "in", cls.move.ids)]
        )

    def _zip(self):
        return zipfile.ZipFile(io.BytesIO(self.case.dossier_id.raw))

    def test_hand_over_opens_one_case_with_its_dossier_sent(self):
        self.assertTrue(self.final.level_id.hand_over)
        self.assertEqual(self.handed, self.move)
        self.assertRecordValues(
            self.case,
            [
                {
                    "partner_id": self.partner_a.id,
                    "agency_id": self.agency.id,
                    "state": "handed_over",
                    "commission_percent": 10.0,
                }
            ],
        )
        self.assertGreaterEqual(self.case.amount_handed_over, 1000.0)
        sent = self.case.message_ids.filtered(
            lambda m: (
                self.agency in m.partner_ids
                and self.case.dossier_id in m.attachment_ids
            )
        )
        self.assertTrue(sent, "the dossier is e-mailed to the agency")
        self.assertTrue(self.case.dossier_sent_date)

    def test_dossier_json_validates_and_carries_pdfs(self):
        archive = self._zip()
        data = json.loads(archive.read("dossier.json"))
        with open(file_path("debtor_dunning/data/dossier.schema.json")) as schema_file:
            schema = json.load(schema_file)
        self.assertEqual(schema_errors(data, schema), [])
        if jsonschema:
            jsonschema.validate(data, schema)
        # A dossier that lacks a required key is refused by the same check.
        broken = dict(data)
        del broken["invoices"]
        self.assertTrue(schema_errors(broken, schema))
        self.assertEqual(data["debtor"]["vat"], "NL004495445B01")
        self.assertEqual(data["debtor"]["coc"], "12345678")
        self.assertEqual([inv["number"] for inv in data["invoices"]], [self.move.name])
        self.assertEqual(data["invoices"][0]["amount_open"], 1000.0)
        self.assertIn(self.final.name, [n["number"] for n in data["notices"]])
        self.assertGreaterEqual(data["totals"]["total"], 1000.0)
        names = archive.namelist()
        for item in data["invoices"] + data["notices"]:
            self.assertIn(item["pdf"], names)
            content = archive.read(item["pdf"])
            self.assertTrue(content.startswith(b"%PDF"), (item["pdf"], content[:60]))
        self.assertIn(self.move.name, archive.read("dossier.csv").decode("utf-8-sig"))

    def test_our_own_notices_never_go_to_a_handed_over_debt(self):
        self.assertEqual(self.move.dunning_hold, "handed_over")
        day = self.handover_day + timedelta(days=30)
        with freeze_time(day):
            run = self.service._propose(self.company, day)
        self.assertFalse(
            run.notice_ids.line_ids.filtered(lambda line: line.move_id == self.move)
        )

    def test_collection_is_registered_with_the_commission_as_expense(self):
        wizard = (
            self.env["debtor.dunning.handover.collect"]
            .with_context(default_handover_id=self.case.id)
            .create({"amount": 400.0, "date": self.handover_day})
        )
        self.assertTrue(wizard.journal_id and wizard.commission_account_id)
        wizard.action_confirm()
        self.assertRecordValues(
            self.case,
            [
                {
                    "state": "partly_paid",
                    "amount_collected": 400.0,
                    "commission_amount": 40.0,
                }
            ],
        )
        self.assertAlmostEqual(self.move.amount_residual, 600.0)
        entry = self.case.commission_move_ids
        self.assertEqual(entry.state, "posted")
        expense = entry.line_ids.filtered(
            lambda line: line.account_id.account_type == "expense"
        )
        self.assertAlmostEqual(expense.debit, 40.0)

    def test_a_returned_case_resumes_our_dunning(self):
        self.env["debtor.dunning.handover.close"].create(
            {
                "handover_id": self.case.id,
                "outcome": "returned",
                "note": "No assets found",
            }
        ).action_confirm()
        self.assertEqual(self.case.state, "returned")
        self.assertFalse(self.move.dunning_handed_over_date)
        self.assertFalse(self.move.dunning_hold)
        self.assertEqual(self.move.dunning_level_id, self.levels[2])
        self.assertTrue(
            any("dunning resumes" in b for b in self.move.message_ids.mapped("body"))
        )
        day = self.handover_day + timedelta(days=1)
        with freeze_time(day):
            run = self.service._propose(self.company, day)
        notice = self._notice_of(run)
        self.assertEqual(notice.line_ids.move_id, self.move)
        self.assertEqual(notice.level_id, self.levels[3], "the final notice again")
