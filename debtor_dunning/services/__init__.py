"""Services orchestrate, one AbstractModel per capability (as account.move.send does).

Crons, buttons, wizards and controllers call them; the rules they apply live in core/.
"""

from . import (
    debtor_dunning_approval,
    debtor_dunning_arrangements,
    debtor_dunning_book,
    debtor_dunning_charges,
    debtor_dunning_cockpit,
    debtor_dunning_collection,
    debtor_dunning_credit,
    debtor_dunning_escalation,
    debtor_dunning_figures,
    debtor_dunning_insurance,
    debtor_dunning_issuing,
    debtor_dunning_mailing,
    debtor_dunning_rendering,
    debtor_dunning_sending,
)
