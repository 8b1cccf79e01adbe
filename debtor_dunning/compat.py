"""Odoo 18.0 and 19.0: the one place that knows which series runs.

The add-on is one code base for both series (the manifest's version has no series,
Odoo prefixes the running one). Where both series accept the same form, the code uses
it and needs nothing from here; where they do not, it uses a name from this module,
never its own ``if``:

- ``USER_GROUPS``, ``GROUP_USERS``, ``RECORD_GROUPS``: the field names of a user's
  groups (``groups_id`` / ``group_ids``), a group's users (``users`` / ``user_ids``) and
  the groups of an action, menu or view (``groups_id`` / ``group_ids``);
- ``AND``, ``OR``: combine domains, as lists (``odoo.osv.expression`` warns on 19.0);
- ``Constraint``: a table constraint as a class attribute, ``models.Constraint`` on
  19.0, added to ``_sql_constraints`` on 18.0 (same name in the database on both);
- ``JSON_ROUTE``: the ``type`` of a JSON-RPC route (``json`` / ``jsonrpc``);
- ``PARTNER_PHONES``: a partner's phone fields (19.0 has no ``mobile``); read them
  through ``res.partner.dunning_phone``;
- ``PRESENCE``: the model of a user's online presence (``bus.presence`` /
  ``mail.presence``);
- ``readable``: whether the user may read a field (its groups);
- ``message_post_values``, ``thread_parent``, ``mail_references``,
  ``recipient_headers``, ``NOTIFICATION_VALUES``: what
  ``message_post`` and its e-mail notification make of a message, for
  debtor.dunning.mailing, which makes them for a batch (the parent, References and
  headers each series computes);
- ``notify_progress``: a scheduled action's progress (``ir.cron._notify_progress``);
- ``file_groups``: put groups under an application in the users' form (a category on
  18.0, a privilege of that category on 19.0).
"""

import warnings

from odoo import release
from odoo.tools import formataddr

SERIES = release.version_info[0]
ODOO_19 = SERIES >= 19

USER_GROUPS = "group_ids" if ODOO_19 else "groups_id"
GROUP_USERS = "user_ids" if ODOO_19 else "users"
RECORD_GROUPS = "group_ids" if ODOO_19 else "groups_id"
JSON_ROUTE = "jsonrpc" if ODOO_19 else "json"
PARTNER_PHONES = ("phone",) if ODOO_19 else ("phone", "mobile")
PRESENCE = "mail.presence" if ODOO_19 else "bus.presence"
NOTIFICATION_VALUES = "_notify_by_email_get_base_notification_values" if ODOO_19 else ""
# Message types that go out by e-mail: a new e-mail refers to the last ones of them.
_OUTGOING_TYPES = ("comment", "auto_comment", "email", "email_outgoing")

if ODOO_19:
    from odoo.fields import Domain
    from odoo.models import Constraint

    def AND(domains):
        """The conjunction of `domains`, as a list."""
        return list(Domain.AND(domains))

    def OR(domains):
        """The disjunction of `domains`, as a list."""
        return list(Domain.OR(domains))

else:
    from odoo.osv import expression

    AND = expression.AND
    OR = expression.OR

    class Constraint:
        """``models.Constraint`` of 19.0 for 18.0: ``_name_uniq = Constraint(...)``.

        Becomes the entry ``("name_uniq", definition, message)`` of the class's
        ``_sql_constraints``: the database names it ``<table>_name_uniq`` on both
        series.
        """

        def __init__(self, definition, message=""):
            self.definition = definition
            self.message = message

        def __set_name__(self, owner, name):
            own = list(owner.__dict__.get("_sql_constraints", []))
            own.append((name.lstrip("_"), self.definition, self.message))
            owner._sql_constraints = own


def readable(records, field):
    """Whether the current user may read `field` of `records`' model (its groups):
    ``Field.is_accessible`` on 18.0, ``BaseModel._has_field_access`` on 19.0."""
    if ODOO_19:
        return records._has_field_access(field, "read")
    return field.is_accessible(records.env)


def notify_progress(env, done, remaining):
    """Tell the running scheduled action how far it is; it calls again if remaining.

    19.0 deprecates ``_notify_progress`` for ``_commit_progress``, which commits
    itself; the add-on's batches leave the commit to the scheduled action, as on
    18.0, so it keeps the call that both series run alike.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 19.0's
        env["ir.cron"]._notify_progress(done=done, remaining=remaining)


def file_groups(groups, category, privilege_xmlid, sequence=100):
    """Show `groups` as one choice of `category`'s application in the users' form.

    On 19.0 through the privilege `privilege_xmlid` (made once, named like the
    category, removed with the module), on 18.0 as the groups' category.
    """
    if not ODOO_19:
        groups.category_id = category
        return
    env = groups.env
    privilege = env.ref(privilege_xmlid, raise_if_not_found=False)
    values = {
        "name": category.name,
        "category_id": (category.parent_id or category).id,
        "sequence": sequence,
    }
    if privilege:
        privilege.write(values)
    else:
        privilege = env["res.groups.privilege"].create(values)
    # Also when it exists: an update keeps only the records it loaded.
    env["ir.model.data"]._update_xmlids(
        [{"xml_id": privilege_xmlid, "record": privilege, "noupdate": False}]
    )
    groups.privilege_id = privilege


if ODOO_19:

    def message_post_values(record):
        """The values message_post adds to a message on `record` (e-mails notified
        besides the partners: none)."""
        return {
            "incoming_email_to": False,
            "incoming_email_cc": False,
            "outgoing_email_to": False,
        }

    def thread_parent(messages):
        """The message a new one answers (_message_compute_parent_id), from the
        thread's `messages`, newest first."""
        return (
            messages.sorted(
                lambda m: (
                    m.message_type in ("comment", "email"),
                    m.date or m.create_date,
                    m.id,
                ),
                reverse=True,
            )[:1].id
            or False
        )

    def mail_references(messages, message, note):
        """The References header of `message`'s e-mail, from the thread's other
        `messages`, newest first (_notify_by_email_get_base_mail_values)."""
        ancestors = messages.filtered("subtype_id").filtered("message_id")[:32]
        ancestors = ancestors.sorted(
            lambda m: (
                not m.is_internal and not m.subtype_id.internal,
                m.message_type in _OUTGOING_TYPES,
                m.message_type not in ("user_notification", "out_of_office"),
            ),
            reverse=True,
        )[:3].sorted("id")
        return " ".join(m.message_id for m in (ancestors + message.sudo()))

    def recipient_headers(record, rows):
        """Headers naming the customers an e-mail goes to (X-Msg-To-Add)."""
        external = [
            formataddr((row["name"], row["email_normalized"]))
            for row in rows
            if row["active"] and row["email_normalized"] and row["share"]
        ]
        if external and len(external) < record._CUSTOMER_HEADERS_LIMIT_COUNT:
            return {"X-Msg-To-Add": ",".join(external)}
        return {}

else:

    def message_post_values(record):
        """The values message_post adds to a message on `record` (its name)."""
        return {"record_name": record.sudo().display_name}

    def thread_parent(messages):
        """The message a new one answers (_message_compute_parent_id): the
        thread's first."""
        return messages.sorted("id")[:1].id or False

    def mail_references(messages, message, note):
        """The References header of `message`'s e-mail, from the thread's other
        `messages`, newest first (_notify_by_email_get_base_mail_values)."""
        ancestors = messages.filtered(
            lambda m: m.message_type in _OUTGOING_TYPES and m.subtype_id != note
        )[:16]
        ancestors = ancestors.filtered(
            lambda m: not m.is_internal and m.subtype_id and not m.subtype_id.internal
        )[:3][::-1]
        return " ".join(m.message_id for m in (ancestors + message.sudo()))

    def recipient_headers(record, rows):
        """Headers naming the customers an e-mail goes to: none on 18.0."""
        return {}
