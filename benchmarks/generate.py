"""Build a dunning benchmark book fast: a company, N/10 customers, N posted invoices.

    python benchmarks/generate.py -c ODOO_CONF -d DB N [--as-of YYYY-MM-DD] [--check]

Set-up records (company, chart of accounts, a 21 % sale tax) go through the ORM;
customers, invoices, payments and reconciliations are bulk SQL (INSERT ... SELECT
over generate_series), written with the values Odoo's own computes give, so the book
is what N invoices posted and paid through the ORM would leave (balanced moves,
partial/full reconciliations, residuals, payment states). `--check` recomputes a
sample with the ORM and compares, then rolls back.

Book (seeded, reproducible): due date = as_of - U(0..180) days for 90 % of the
invoices and as_of + U(1..30) for 10 %; untaxed U(50..5000) EUR + 21 % tax; 40 % paid
in full and 15 % partly (30-70 %) by a journal entry on the outstanding receipts
account reconciled with the receivable line; 50 % of the customers are companies,
70 % have an e-mail address.
"""

import argparse
import datetime
import sys
import time
from contextlib import contextmanager

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

PARAM = "debtor_dunning.bench"  # ir.config_parameter keys: <PARAM>.company_id, .as_of


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("invoices", type=int, help="number of invoices (N)")
    parser.add_argument(
        "--as-of",
        type=datetime.date.fromisoformat,
        default=datetime.datetime.now(datetime.UTC).date(),
        help="reference date of the book (default: today)",
    )
    parser.add_argument("--seed", type=float, default=0.42, help="PostgreSQL setseed()")
    parser.add_argument(
        "--check", action="store_true", help="compare a sample with the ORM's computes"
    )
    return parser.parse_args()


# ---------------------------------------------------------------------- ORM set-up
def setup_company(env, n):
    """A EUR company with the generic chart and a 21 % sale tax; the accounts used."""
    eur = env.ref("base.EUR")
    eur.active = True
    company = env["res.company"].create(
        {"name": f"Dunning Bench {n}", "currency_id": eur.id}
    )
    env["account.chart.template"].try_loading(
        "generic_coa", company, install_demo=False
    )
    # The chart sets the currency of its fiscal country (USD); no entry exists yet.
    company.currency_id = eur
    env = env(context={"allowed_company_ids": company.ids})
    admin = env.ref("base.user_admin")
    admin.company_ids = [(4, company.id)]
    Journal = env["account.journal"]
    sale = Journal.search(
        [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
    )
    special = company.currency_exchange_journal_id | company.tax_cash_basis_journal_id
    misc = Journal.search(
        [
            ("company_id", "=", company.id),
            ("type", "=", "general"),
            ("id", "not in", special.ids),
        ],
        limit=1,
    )
    tax = company.account_sale_tax_id.copy({"name": "21% (bench)", "amount": 21.0})
    receivable = (
        env["res.partner"].with_company(company).new({}).property_account_receivable_id
    )
    outstanding = (
        env["account.chart.template"]
        .with_company(company)
        .ref("account_journal_payment_debit_account_id", raise_if_not_found=False)
        or Journal.search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        ).default_account_id
    )
    assert receivable.account_type == "asset_receivable", receivable
    assert outstanding.reconcile or outstanding.account_type == "asset_cash", (
        outstanding
    )
    invoice_rep = tax.invoice_repartition_line_ids
    base_rep = invoice_rep.filtered(lambda r: r.repartition_type == "base")
    tax_rep = invoice_rep.filtered(lambda r: r.repartition_type == "tax")
    assert len(tax_rep) == 1 and tax_rep.account_id, (
        "the sale tax needs one tax account"
    )
    return company, {
        "company": company.id,
        "currency": eur.id,
        "sale_journal": sale.id,
        "sale_code": sale.code,
        "misc_journal": misc.id,
        "misc_code": misc.code,
        "receivable": receivable.id,
        "income": sale.default_account_id.id,
        "outstanding": outstanding.id,
        "tax": tax.id,
        "tax_name": tax.name,
        "tax_group": tax.tax_group_id.id,
        "tax_account": tax_rep.account_id.id,
        "tax_rep": tax_rep.id,
        "base_tags": base_rep.tag_ids.ids,
        "tax_tags": tax_rep.tag_ids.ids,
        "uid": SUPERUSER_ID,
    }


# ---------------------------------------------------------------------- bulk SQL
PARTNERS_SQL = """
INSERT INTO res_partner (
    name, complete_name, commercial_company_name, company_id, is_company, type,
    active, lang, email, email_normalized, customer_rank, supplier_rank,
    partner_share, color, message_bounce, autopost_bills, invoice_warn,
    {debtor_type_column} create_uid, write_uid, create_date, write_date)
SELECT nm, nm, CASE WHEN i %% 2 = 0 THEN nm END, %(company)s, i %% 2 = 0, 'contact',
       true, 'en_US', em, em, 1, 0, true, 0, 0, 'ask', 'no-message',
       {debtor_type_value}
       %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
  FROM (SELECT i, 'Bench Customer ' || lpad(i::text, 6, '0') AS nm,
               CASE WHEN i %% 10 < 7 THEN 'customer' || i || '@bench.example' END AS em
          FROM generate_series(1, %(partners)s) i) s
RETURNING id
"""

DEBTOR_TYPE_SQL = "CASE WHEN i %% 2 = 0 THEN 'business' ELSE 'consumer' END,"

# One row per invoice with everything random drawn once (setseed makes it repeatable),
# and the ids it will get: blocks reserved on the sequences beforehand.
STAGE_SQL = """
CREATE TEMP TABLE bench_inv ON COMMIT DROP AS
WITH r AS (
    SELECT n, random() AS rp, random() AS rd, random() AS rf, random() AS ra,
           random() AS rk, random() AS rs, random() AS rt
      FROM generate_series(1, %(n)s) n
), d AS (
    SELECT n, rk, rs, rt,
           (%(partner_ids)s::int[])[1 + floor(rp * %(partners)s)::int] AS partner_id,
           CASE WHEN rd < 0.9 THEN %(as_of)s::date - floor(rf * 181)::int
                ELSE %(as_of)s::date + 1 + floor(rf * 30)::int END AS due,
           round((50 + ra * 4950)::numeric, 2) AS untaxed
      FROM r
), e AS (
    SELECT n, partner_id, due, due - 30 AS inv_date, untaxed,
           round(untaxed * 0.21, 2) AS tax,
           CASE WHEN rk < 0.40 THEN 'paid' WHEN rk < 0.55 THEN 'partial'
                ELSE 'open' END AS kind,
           rs, rt
      FROM d
)
SELECT n, partner_id, due, inv_date, untaxed, tax, untaxed + tax AS total, kind,
       CASE kind WHEN 'paid' THEN untaxed + tax
                 WHEN 'partial'
                 THEN round((untaxed + tax) * (0.3 + 0.4 * rs)::numeric, 2)
                 ELSE 0 END AS paid,
       LEAST(%(as_of)s::date, inv_date + floor(rt * 60)::int) AS pay_date,
       %(move0)s + n - 1 AS move_id,
       %(move0)s + %(n)s + n - 1 AS pay_move_id,
       %(line0)s + 3 * (n - 1) AS line_id,
       %(line0)s + 3 * %(n)s + 2 * (n - 1) AS pay_line_id,
       %(part0)s + n - 1 AS part_id,
       CASE WHEN kind = 'paid' THEN %(full0)s + n - 1 END AS full_id
  FROM e
"""

MOVE_COLUMNS = """
    id, journal_id, company_id, currency_id, partner_id, commercial_partner_id,
    partner_shipping_id, name, sequence_prefix, sequence_number, state, move_type,
    auto_post, payment_reference, payment_state, invoice_partner_display_name, date,
    invoice_date, invoice_date_due, invoice_currency_rate, amount_untaxed, amount_tax,
    amount_total, amount_residual, amount_untaxed_signed,
    amount_untaxed_in_currency_signed, amount_tax_signed, amount_total_signed,
    amount_total_in_currency_signed, amount_residual_signed, is_storno,
    always_tax_exigible, checked, posted_before, made_sequence_gap,
    is_manually_modified, create_uid, write_uid, create_date, write_date
"""

INVOICES_SQL = f"""
INSERT INTO account_move ({MOVE_COLUMNS})
SELECT b.move_id, %(sale_journal)s, %(company)s, %(currency)s, b.partner_id,
       b.partner_id, b.partner_id, q.prefix || lpad(q.seq::text, 6, '0'), q.prefix,
       q.seq, 'posted', 'out_invoice', 'no', q.prefix || lpad(q.seq::text, 6, '0'),
       CASE b.kind WHEN 'paid' THEN 'paid' WHEN 'partial' THEN 'partial'
                   ELSE 'not_paid' END,
       p.name, b.inv_date, b.inv_date, b.due, 1.0, b.untaxed, b.tax, b.total,
       b.total - b.paid, b.untaxed, b.untaxed, b.tax, b.total, b.total,
       b.total - b.paid, false, false, true, true, false, false,
       %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
  FROM bench_inv b
  JOIN res_partner p ON p.id = b.partner_id
  JOIN (SELECT n, %(sale_code)s || '/' || to_char(inv_date, 'YYYY') || '/' AS prefix,
               row_number() OVER (PARTITION BY date_trunc('year', inv_date)
                                  ORDER BY inv_date, n) AS seq
          FROM bench_inv) q ON q.n = b.n
"""

PAYMENTS_SQL = f"""
INSERT INTO account_move ({MOVE_COLUMNS})
SELECT b.pay_move_id, %(misc_journal)s, %(company)s, %(currency)s, b.partner_id,
       b.partner_id, NULL, q.prefix || lpad(q.seq::text, 6, '0'), q.prefix, q.seq,
       'posted', 'entry', 'no', NULL, 'not_paid', p.name, b.pay_date, NULL,
       b.pay_date, 0,
       0, 0, b.paid, 0, 0, 0, 0, b.paid, b.paid, 0, false, false, true, true, false,
       false, %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
  FROM bench_inv b
  JOIN res_partner p ON p.id = b.partner_id
  JOIN (SELECT n, %(misc_code)s || '/' || to_char(pay_date, 'YYYY') || '/' AS prefix,
               row_number() OVER (PARTITION BY date_trunc('year', pay_date)
                                  ORDER BY pay_date, n) AS seq
          FROM bench_inv WHERE kind <> 'open') q ON q.n = b.n
"""

LINE_COLUMNS = """
    id, move_id, journal_id, company_id, company_currency_id, currency_id, partner_id,
    move_name, parent_state, date, invoice_date, sequence, display_type, account_id,
    name, date_maturity, debit, credit, balance, amount_currency, amount_residual,
    amount_residual_currency, reconciled, full_reconcile_id, matching_number,
    quantity, price_unit, price_subtotal, price_total, discount,
    discount_amount_currency, discount_balance, tax_base_amount, tax_line_id,
    tax_group_id, tax_repartition_line_id, tax_tag_invert, create_uid, write_uid,
    create_date, write_date
"""

# Receivable debit (payment_term), income credit (product), tax credit (tax).
INVOICE_LINES_SQL = f"""
INSERT INTO account_move_line ({LINE_COLUMNS})
SELECT b.line_id + k, b.move_id, %(sale_journal)s, %(company)s, %(currency)s,
       %(currency)s, b.partner_id, m.name, 'posted', b.inv_date, b.inv_date,
       (ARRAY[12000, 100, 10000])[k + 1],
       (ARRAY['payment_term', 'product', 'tax'])[k + 1],
       (ARRAY[%(receivable)s, %(income)s, %(tax_account)s])[k + 1],
       (ARRAY[m.name, 'Bench services', %(tax_name)s])[k + 1],
       CASE k WHEN 0 THEN b.due END,
       CASE k WHEN 0 THEN b.total ELSE 0 END,
       CASE k WHEN 1 THEN b.untaxed WHEN 2 THEN b.tax ELSE 0 END,
       (ARRAY[b.total, -b.untaxed, -b.tax])[k + 1],
       (ARRAY[b.total, -b.untaxed, -b.tax])[k + 1],
       CASE k WHEN 0 THEN b.total - b.paid ELSE 0 END,
       CASE k WHEN 0 THEN b.total - b.paid ELSE 0 END,
       k = 0 AND b.kind = 'paid',
       CASE WHEN k = 0 THEN b.full_id END,
       CASE WHEN k = 0 AND b.kind = 'paid' THEN b.full_id::text
            WHEN k = 0 AND b.kind = 'partial' THEN 'P' || b.part_id END,
       CASE k WHEN 1 THEN 1 ELSE 0 END,
       CASE k WHEN 1 THEN b.untaxed ELSE 0 END,
       CASE k WHEN 1 THEN b.untaxed ELSE 0 END,
       CASE k WHEN 1 THEN b.total ELSE 0 END,
       0, CASE k WHEN 0 THEN 0 END, CASE k WHEN 0 THEN 0 END,
       CASE k WHEN 2 THEN b.untaxed END,
       CASE k WHEN 2 THEN %(tax)s END, CASE k WHEN 2 THEN %(tax_group)s END,
       CASE k WHEN 2 THEN %(tax_rep)s END, k > 0,
       %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
  FROM bench_inv b
  JOIN account_move m ON m.id = b.move_id
 CROSS JOIN generate_series(0, 2) k
"""

# Outstanding receipts debit (open: the bank statement has yet to match it) and the
# receivable credit that the partial reconcile consumes entirely.
PAYMENT_LINES_SQL = f"""
INSERT INTO account_move_line ({LINE_COLUMNS})
SELECT b.pay_line_id + k, b.pay_move_id, %(misc_journal)s, %(company)s, %(currency)s,
       %(currency)s, b.partner_id, m.name, 'posted', b.pay_date, NULL, 10 + k,
       'product', (ARRAY[%(outstanding)s, %(receivable)s])[k + 1],
       'Payment of ' || inv.name, b.pay_date,
       CASE k WHEN 0 THEN b.paid ELSE 0 END, CASE k WHEN 1 THEN b.paid ELSE 0 END,
       (ARRAY[b.paid, -b.paid])[k + 1], (ARRAY[b.paid, -b.paid])[k + 1],
       CASE k WHEN 0 THEN b.paid ELSE 0 END, CASE k WHEN 0 THEN b.paid ELSE 0 END,
       k = 1, CASE WHEN k = 1 THEN b.full_id END,
       CASE WHEN k = 1 AND b.kind = 'paid' THEN b.full_id::text
            WHEN k = 1 THEN 'P' || b.part_id END,
       0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, false,
       %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
  FROM bench_inv b
  JOIN account_move m ON m.id = b.pay_move_id
  JOIN account_move inv ON inv.id = b.move_id
 CROSS JOIN generate_series(0, 1) k
"""

FULL_RECONCILE_SQL = """
INSERT INTO account_full_reconcile (id, create_uid, write_uid, create_date, write_date)
SELECT full_id, %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
  FROM bench_inv WHERE kind = 'paid'
"""

PARTIAL_RECONCILE_SQL = """
INSERT INTO account_partial_reconcile (
    id, debit_move_id, credit_move_id, full_reconcile_id, debit_currency_id,
    credit_currency_id, company_id, max_date, amount, debit_amount_currency,
    credit_amount_currency, create_uid, write_uid, create_date, write_date)
SELECT part_id, line_id, pay_line_id + 1, full_id, %(currency)s, %(currency)s,
       %(company)s, GREATEST(inv_date, pay_date), paid, paid, paid,
       %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
  FROM bench_inv WHERE kind <> 'open'
"""

TAXES_SQL = """
INSERT INTO account_move_line_account_tax_rel (account_move_line_id, account_tax_id)
SELECT line_id + 1, %(tax)s FROM bench_inv
"""

TAGS_SQL = """
INSERT INTO account_account_tag_account_move_line_rel
       (account_move_line_id, account_account_tag_id)
SELECT b.line_id + 1, t FROM bench_inv b, unnest(%(base_tags)s::int[]) t
 UNION ALL
SELECT b.line_id + 2, t FROM bench_inv b, unnest(%(tax_tags)s::int[]) t
"""


# Tables the load writes to; their foreign keys are checked once per table after the
# load (ADD CONSTRAINT validates every row) instead of by a trigger per row and key.
LOADED_TABLES = [
    "res_partner",
    "account_move",
    "account_move_line",
    "account_full_reconcile",
    "account_partial_reconcile",
    "account_move_line_account_tax_rel",
    "account_account_tag_account_move_line_rel",
]


@contextmanager
def foreign_keys_checked_after(cr, tables):
    """Drop the foreign keys of `tables` for the block, then add them back as they
    were (validated). In the caller's transaction: a failure leaves them untouched."""
    cr.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
             FROM pg_constraint
            WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
            ORDER BY 1, 2""",
        [tables],
    )
    keys = cr.fetchall()
    for table, name, _definition in keys:
        cr.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    for table in sorted({table for table, _name, _definition in keys}):
        clauses = ", ".join(
            f'ADD CONSTRAINT "{name}" {definition}'
            for key_table, name, definition in keys
            if key_table == table
        )
        cr.execute(f"ALTER TABLE {table} {clauses}")


def reserve(cr, sequence, count):
    """First id of a block of `count` ids taken from a PostgreSQL sequence."""
    cr.execute("SELECT nextval(%s)", [sequence])
    first = cr.fetchone()[0]
    cr.execute("SELECT setval(%s, %s)", [sequence, first + count])
    return first


def insert_book(cr, ctx, n, as_of, seed):
    """Customers, invoices, payments and reconciliations; seconds per step."""
    timings = {}

    def step(name, sql, params):
        start = time.perf_counter()
        cr.execute(sql, params)
        timings[name] = (time.perf_counter() - start, cr.rowcount)

    partners = max(1, n // 10)
    # Without the add-on (a book it is installed on later) there is no debtor type.
    cr.execute(
        "SELECT 1 FROM information_schema.columns"
        " WHERE table_name = 'res_partner' AND column_name = 'dunning_debtor_type'"
    )
    addon = bool(cr.fetchall())
    partners_sql = PARTNERS_SQL.format(
        debtor_type_column="dunning_debtor_type," if addon else "",
        debtor_type_value=DEBTOR_TYPE_SQL if addon else "",
    )
    step("customers", partners_sql, dict(ctx, partners=partners))
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)",
        [partner_ids],
    )
    cr.execute("SELECT setseed(%s)", [seed])
    ids = {
        "move0": reserve(cr, "account_move_id_seq", 2 * n),
        "line0": reserve(cr, "account_move_line_id_seq", 5 * n),
        "part0": reserve(cr, "account_partial_reconcile_id_seq", n),
        "full0": reserve(cr, "account_full_reconcile_id_seq", n),
    }
    params = dict(
        ctx, n=n, as_of=as_of, partner_ids=partner_ids, partners=partners, **ids
    )
    step("staging", STAGE_SQL, params)
    cr.execute("ANALYZE bench_inv")
    start = time.perf_counter()
    with foreign_keys_checked_after(cr, LOADED_TABLES):
        timings["drop foreign keys"] = (time.perf_counter() - start, 0)
        step("invoices", INVOICES_SQL, params)
        step("payments", PAYMENTS_SQL, params)
        step("full reconciles", FULL_RECONCILE_SQL, params)
        step("invoice lines", INVOICE_LINES_SQL, params)
        step("payment lines", PAYMENT_LINES_SQL, params)
        step("partial reconciles", PARTIAL_RECONCILE_SQL, params)
        step("line taxes", TAXES_SQL, params)
        step("line tax tags", TAGS_SQL, params)
        start = time.perf_counter()
    timings["check foreign keys"] = (time.perf_counter() - start, 0)
    return timings


def analyze(cr):
    for table in (
        "res_partner",
        "account_move",
        "account_move_line",
        "account_partial_reconcile",
        "account_full_reconcile",
    ):
        cr.execute(f"ANALYZE {table}")


# ---------------------------------------------------------------------- checks
BALANCE_SQL = """
SELECT count(*) FILTER (WHERE d <> c), count(*), sum(d), sum(c)
  FROM (SELECT l.move_id, sum(l.debit) d, sum(l.credit) c
          FROM account_move_line l WHERE l.company_id = %s GROUP BY l.move_id) s
"""

# Odoo numbers a reconciliation graph by its full reconcile, else "P" + its first
# partial (account.partial.reconcile._update_matching_number); ours are single pairs.
MATCHING_SQL = """
SELECT count(*)
  FROM account_partial_reconcile p
  JOIN account_move_line d ON d.id = p.debit_move_id
  JOIN account_move_line c ON c.id = p.credit_move_id
 WHERE p.company_id = %s
   AND (d.matching_number IS DISTINCT FROM COALESCE(p.full_reconcile_id::text,
                                                    'P' || p.id)
        OR c.matching_number IS DISTINCT FROM d.matching_number
        OR d.full_reconcile_id IS DISTINCT FROM p.full_reconcile_id
        OR c.full_reconcile_id IS DISTINCT FROM p.full_reconcile_id)
"""

SUMMARY_SQL = """
SELECT (SELECT count(*) FROM res_partner WHERE company_id = %(c)s),
       (SELECT count(*) FROM account_move WHERE company_id = %(c)s
                                             AND move_type = 'out_invoice'),
       (SELECT count(*) FROM account_move WHERE company_id = %(c)s
                                             AND move_type = 'entry'),
       (SELECT count(*) FROM account_move_line WHERE company_id = %(c)s),
       (SELECT count(*) FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id
         WHERE l.company_id = %(c)s AND a.account_type = 'asset_receivable'
           AND NOT l.reconciled AND l.amount_residual > 0
           AND l.date_maturity < %(as_of)s),
       (SELECT json_object_agg(payment_state, k) FROM (
            SELECT payment_state, count(*) k FROM account_move
             WHERE company_id = %(c)s AND move_type = 'out_invoice' GROUP BY 1) s)
"""


def summary(cr, company_id, as_of):
    cr.execute(SUMMARY_SQL, {"c": company_id, "as_of": as_of})
    customers, invoices, payments, lines, overdue, states = cr.fetchone()
    return {
        "customers": customers,
        "invoices": invoices,
        "payment_entries": payments,
        "move_lines": lines,
        "open_overdue_lines": overdue,
        "payment_states": states,
    }


LINE_FIELDS = [
    "amount_residual",
    "amount_residual_currency",
    "reconciled",
    "debit",
    "credit",
    "move_name",
    "parent_state",
    "date",
    "journal_id",
    "company_id",
    "company_currency_id",
    "tax_tag_invert",
    "display_type",
]
MOVE_FIELDS = [
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "amount_untaxed_signed",
    "amount_untaxed_in_currency_signed",
    "amount_tax_signed",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "amount_residual_signed",
    "payment_state",
    "commercial_partner_id",
    "invoice_partner_display_name",
    "invoice_date_due",
]


def recompute_diff(env, records, fnames):
    """Fields whose stored value differs from what the ORM computes now."""
    records.invalidate_recordset()
    stored = {(rec.id, f): rec[f] for rec in records for f in fnames}
    computed = [f for f in fnames if records._fields[f].compute]
    assert computed == fnames, set(fnames) - set(computed)
    for fname in computed:
        env.add_to_compute(records._fields[fname], records)
    diffs = []
    for rec in records:
        for fname in computed:
            if rec[fname] != stored[rec.id, fname]:
                diffs.append(
                    (rec._name, rec.id, fname, stored[rec.id, fname], rec[fname])
                )
    return diffs


def check(env, company_id, sample=300):
    """Balanced moves; the ORM recomputes the stored values; the ORM can pay an
    invoice. Rolls back: nothing of it stays."""
    cr = env.cr
    cr.execute(BALANCE_SQL, [company_id])
    unbalanced, moves, debit, credit = cr.fetchone()
    assert unbalanced == 0 and debit == credit, (unbalanced, debit, credit)
    print(f"check: {moves} moves, all balanced (debit = credit = {debit})")
    cr.execute(MATCHING_SQL, [company_id])
    assert cr.fetchone()[0] == 0, "matching numbers are not Odoo's"
    env = env(context={"allowed_company_ids": [company_id]})
    Move = env["account.move"]
    invoices = Move.search(
        [("company_id", "=", company_id), ("move_type", "=", "out_invoice")],
        order="id",
        limit=sample,
    )
    entries = invoices.line_ids.matched_credit_ids.credit_move_id.move_id
    diffs = recompute_diff(env, invoices | entries, MOVE_FIELDS)
    diffs += recompute_diff(env, (invoices | entries).line_ids, LINE_FIELDS)
    for model, fname in sorted({(d[0], d[2]) for d in diffs}):
        some = [d for d in diffs if d[0] == model and d[2] == fname]
        print(f"  {model}.{fname} differs on {len(some)} records, e.g.", some[0])
    assert not diffs, f"{len(diffs)} stored values differ from the ORM's"
    print(
        f"check: {len(invoices)} invoices and {len(entries)} payment entries: "
        f"{len(MOVE_FIELDS)} move and {len(LINE_FIELDS)} line fields as the ORM "
        "recomputes them"
    )
    by_state = {
        s: invoices.filtered(lambda m, s=s: m.payment_state == s)[:1]
        for s in ("paid", "partial", "not_paid")
    }
    widget = by_state["paid"].invoice_payments_widget
    assert widget and widget["content"][0]["amount"] == by_state["paid"].amount_total
    for state in ("partial", "not_paid"):
        invoice = by_state[state]
        residual = invoice.amount_residual
        wizard = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
        )
        assert wizard.amount == residual, (wizard.amount, residual)
        wizard.action_create_payments()
        assert invoice.amount_residual == 0 and invoice.payment_state in (
            "paid",
            "in_payment",
        ), (invoice.amount_residual, invoice.payment_state)
    print(
        "check: the payments widget of a paid invoice lists its payment; the ORM "
        "registers the rest of a partly paid and of an open invoice"
    )
    cr.rollback()


# ---------------------------------------------------------------------- main
def main():
    args = parse_args()
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = Registry(args.database)
    n = args.invoices
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if env["ir.config_parameter"].get_param(f"{PARAM}.company_id"):
            sys.exit(f"{args.database} already holds a benchmark book")
        company, ctx = setup_company(env, n)
        cr.commit()
        setup = time.perf_counter() - start
        print(f"company {company.name} (id {company.id}) with its chart: {setup:.1f} s")
        load_start = time.perf_counter()
        timings = insert_book(cr, ctx, n, args.as_of, args.seed)
        env["ir.config_parameter"].set_param(f"{PARAM}.company_id", company.id)
        env["ir.config_parameter"].set_param(f"{PARAM}.as_of", args.as_of.isoformat())
        cr.commit()
        analyze(cr)
        cr.commit()
        load = time.perf_counter() - load_start
        for name, (seconds, rows) in timings.items():
            print(f"  {name:<16} {rows:>9,} rows {seconds:7.2f} s")
        facts = summary(cr, company.id, args.as_of)
        rows = sum(rows for _seconds, rows in timings.values())
        print(
            f"book of {n:,} invoices ({facts['payment_states']}), "
            f"{facts['customers']:,} customers, {facts['payment_entries']:,} payment "
            f"entries, {facts['move_lines']:,} move lines, "
            f"{facts['open_overdue_lines']:,} open overdue receivable lines: "
            f"{load:.1f} s, {n / load:,.0f} invoices/s, {rows / load:,.0f} rows/s"
        )
        if args.check:
            check(env, company.id)


if __name__ == "__main__":
    main()
