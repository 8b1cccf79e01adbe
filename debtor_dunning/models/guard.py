"""The guard on what a customer was sent and on the add-on's history.

Issued notices (with their lines and charges), confirmed payment arrangements and
settled disputes are frozen: no write or unlink through the ORM changes them, for any
user. Only the add-on's own code changes them, in named actions that leave a trace in
the chatter (cancel a notice, waive its charges, record how it was delivered, break or
complete an arrangement). That code marks its writes with `own(records)`: a Python
object in the context, which no client can send over RPC or HTTP.
"""

from odoo.exceptions import AccessError, UserError

_OWN = object()
_KEY = "debtor_dunning_guard"


def own(records):
    """`records` for a write of the add-on's own code (a named action)."""
    return records.with_context(**{_KEY: _OWN})


def is_own(env):
    """Whether this write comes from the add-on's own code."""
    return env.context.get(_KEY) is _OWN


def thread_fields(model):
    """Fields of the chatter, activities and portal mixins: anyone may use those."""
    env = model.env
    names = set()
    for mixin in ("mail.thread", "mail.activity.mixin", "portal.mixin"):
        if mixin in model._inherit or mixin == model._name:
            names |= set(env[mixin]._fields)
    return names - {"id", "display_name"}


def refuse_frozen(records, vals, message):
    """Refuse a write of `vals` on frozen `records` unless it comes from own code.

    What the chatter and activities store stays writable (following, messages).
    """
    if not records or is_own(records.env):
        return
    if set(vals) - thread_fields(records):
        raise UserError(message)


# ---------------------------------------------------------------------- field rights
DUNNING_USER = "debtor_dunning.debtor_dunning_group_user"


def dunning_fields(model):
    """The dunning fields of a model we do not own that a user could write."""
    return {
        name
        for name, field in model._fields.items()
        if name.startswith("dunning_")
        and field.store
        and not (field.compute and field.readonly)
        and not field.related
    }


def _is_default(model, field, vals):
    """Whether a new record's value of `field` in `vals` is the one it gets anyway."""
    return field.default is not None and field.default(model) == vals[field.name]


def check_dunning_rights(records, vals_list):
    """Only dunning users (or the add-on's own code) write dunning fields.

    `records`: the records written (empty for a create). A value that changes
    nothing, and on create an empty, computed or default one, is no change.
    """
    env = records.env
    if env.su or is_own(env) or env.user.has_group(DUNNING_USER):
        return
    guarded = dunning_fields(records)
    changed = set()
    for vals in vals_list:
        for name in guarded & set(vals):
            field = records._fields[name]
            if records:
                value = field.convert_to_cache(vals[name], records[:1], validate=False)
                if all(
                    rec[name] == field.convert_to_record(value, rec) for rec in records
                ):
                    continue
                if field.compute and "is_company" in vals:
                    continue  # a default that follows the kind of contact
            elif not vals[name] or field.compute or _is_default(records, field, vals):
                continue
            changed.add(name)
    if changed:
        labels = sorted(
            records._fields[name]._description_string(env) for name in changed
        )
        raise AccessError(
            env._(
                "Only dunning users change how customers are dunned: you cannot set "
                "%(fields)s.",
                fields=", ".join(labels),
            )
        )
