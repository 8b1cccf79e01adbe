from . import (
    debtor_dunning_arrangement_refuse,
    debtor_dunning_call_log,
    debtor_dunning_charge_waive,
    debtor_dunning_credit_hold,
    debtor_dunning_credit_override,
    debtor_dunning_exclude,
    debtor_dunning_factor_assign,
    debtor_dunning_notice_cancel,
)
