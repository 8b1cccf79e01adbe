from . import (
    debtor_dunning_arrangement_refuse,
    debtor_dunning_call_log,
    debtor_dunning_charge_waive,
    debtor_dunning_credit_hold,
    debtor_dunning_credit_override,
    debtor_dunning_exclude,
    debtor_dunning_factor_assign,
    debtor_dunning_handover_close,
    debtor_dunning_handover_collect,
    debtor_dunning_notice_cancel,
    debtor_dunning_notice_refuse,
    debtor_dunning_notice_registered,
)
