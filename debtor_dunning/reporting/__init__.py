"""The credit controller's figures: SQL-view report models and the stored DSO.

Imported after models/: their views read the tables of the add-on's own models.
"""

from . import (
    debtor_dunning_aging_report,
    debtor_dunning_commitment_report,
    debtor_dunning_dispute_report,
    debtor_dunning_dso,
    debtor_dunning_kpi,
    debtor_dunning_notice_report,
)
