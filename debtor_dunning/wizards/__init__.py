from . import debtor_dunning_exclude
