"""Items per second of escalation.decide() over 100,000 items of 10,000 customers."""

import random
import sys
import time
import types
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

# Import debtor_dunning.core without the addon's odoo-importing __init__ (as the tests).
_addon = types.ModuleType("debtor_dunning")
_addon.__path__ = [str(Path(__file__).resolve().parent.parent / "debtor_dunning")]
sys.modules.setdefault("debtor_dunning", _addon)

from debtor_dunning.core.escalation import (  # noqa: E402
    Customer,
    Hold,
    Item,
    Level,
    Policy,
    decide,
)

AS_OF = date(2025, 3, 4)  # a Tuesday
ITEMS, CUSTOMERS, RUNS = 100_000, 10_000, 5


def build(rng: random.Random):
    policy = Policy(
        levels=(
            Level(1, -3),
            Level(2, 14),
            Level(3, 30, claims_costs=True, claims_interest=True),
            Level(4, 90, claims_costs=True, claims_interest=True, hands_over=True),
        ),
        grace_days=3,
        min_amount=Decimal(25),
        min_interval_days=7,
        habit_shift=True,
    )
    customers = tuple(
        Customer(
            key=n,
            tolerance_days=rng.choice((0, 0, 0, 5)),
            habit_days_late=rng.randint(-5, 20),
            do_not_dun=rng.random() < 0.02,
            open_credit=Decimal(rng.choice((0, 0, 0, 0, 250))),
            last_notice_date=rng.choice((None, None, AS_OF - timedelta(days=3))),
        )
        for n in range(CUSTOMERS)
    )
    holds = (None,) * 18 + (Hold.DISPUTED, Hold.ARRANGEMENT)
    items = tuple(
        Item(
            key=n,
            customer=rng.randrange(CUSTOMERS),
            due_date=AS_OF - timedelta(days=rng.randint(-30, 200)),
            residual=Decimal(rng.randint(100, 500_000)).scaleb(-2),
            level_rank=rng.choice((0, 0, 1, 2)),
            hold=rng.choice(holds),
        )
        for n in range(ITEMS)
    )
    return policy, items, customers


def main():
    policy, items, customers = build(random.Random(2025))
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        _decisions, plans = decide(policy, items, customers, AS_OF)
        best = min(best, time.perf_counter() - start)
    print(
        f"decide(): {ITEMS:,} items, {CUSTOMERS:,} customers, {len(plans):,} notices: "
        f"best of {RUNS} {best:.3f} s = {ITEMS / best:,.0f} items/s"
    )


if __name__ == "__main__":
    main()
