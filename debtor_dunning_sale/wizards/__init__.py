from . import debtor_dunning_credit_override
