from . import debtor_dunning_demo
