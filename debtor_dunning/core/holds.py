"""Why a debt is kept out of dunning, and until when: the one definition of a hold.

An invoice can be on hold for several reasons at once (disputed and promised, say).
What is stored on it is one hold and its last day, chosen without looking at the
calendar, so that the stored value never goes stale:

- a hold without an end (handed over, sold to a factor that duns it, disputed, under
  an arrangement, excluded until lifted) wins, in the order of `Hold`;
- otherwise the dated hold that lasts longest (a promise to pay, an exclusion with an
  end date), the earlier in the order of `Hold` on a tie.

On a given day the debt is held when its hold has no end or ends on or after that day
(`hold_on`): an expired promise beside a running exclusion still holds, as excluded.
"""

from dataclasses import dataclass
from datetime import date
from enum import Enum

from .errors import require_date


class Hold(Enum):
    """Why a debt is kept out of dunning, most lasting first."""

    HANDED_OVER = "handed_over"
    FACTORED = "factored"  # sold to a factor that does its own dunning
    DISPUTED = "disputed"
    ARRANGEMENT = "arrangement"
    PROMISE = "promise"
    EXCLUDED = "excluded"


@dataclass(frozen=True, slots=True)
class HoldFacts:
    """What holds an invoice, as its records say (see account.move adapters)."""

    handed_over: bool = False
    disputed: bool = False  # an open dispute, or a draft credit note of the invoice
    arrangement: bool = False  # a running payment arrangement
    promise_until: date | None = None  # the promised payment day
    excluded: bool = False
    excluded_until: date | None = None  # None: until lifted by hand
    factored: bool = False  # sold to a factor that duns it itself

    def __post_init__(self):
        for name in ("promise_until", "excluded_until"):
            if getattr(self, name) is not None:
                require_date(getattr(self, name), name)


def resolve(facts: HoldFacts) -> tuple[Hold | None, date | None]:
    """(hold, last day) to store for these facts; (None, None) when nothing holds."""
    lasting = (
        (facts.handed_over, Hold.HANDED_OVER),
        (facts.factored, Hold.FACTORED),
        (facts.disputed, Hold.DISPUTED),
        (facts.arrangement, Hold.ARRANGEMENT),
        (facts.excluded and facts.excluded_until is None, Hold.EXCLUDED),
    )
    for applies, hold in lasting:
        if applies:
            return hold, None
    dated = [
        (until, hold)
        for until, hold in (
            (facts.promise_until, Hold.PROMISE),
            (facts.excluded_until if facts.excluded else None, Hold.EXCLUDED),
        )
        if until is not None
    ]
    if not dated:
        return None, None
    until, hold = max(dated, key=lambda pair: pair[0])  # max keeps the first on ties
    return hold, until


def hold_on(hold: Hold | None, until: date | None, day: date) -> Hold | None:
    """The hold that applies on `day`: `hold`, unless it ended before `day`."""
    if hold is None or (until is not None and day > until):
        return None
    return hold
