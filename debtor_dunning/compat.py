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
- ``notify_progress``: a scheduled action's progress (``ir.cron._notify_progress``);
- ``file_groups``: put groups under an application in the users' form (a category on
  18.0, a privilege of that category on 19.0).
"""

import warnings

from odoo import release

SERIES = release.version_info[0]
ODOO_19 = SERIES >= 19

USER_GROUPS = "group_ids" if ODOO_19 else "groups_id"
GROUP_USERS = "user_ids" if ODOO_19 else "users"
RECORD_GROUPS = "group_ids" if ODOO_19 else "groups_id"
JSON_ROUTE = "jsonrpc" if ODOO_19 else "json"
PARTNER_PHONES = ("phone",) if ODOO_19 else ("phone", "mobile")
PRESENCE = "mail.presence" if ODOO_19 else "bus.presence"

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
