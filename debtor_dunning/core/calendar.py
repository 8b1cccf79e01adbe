"""On which days dunning notices may be sent, and the public holidays of NL and BE."""

from collections.abc import Collection, Iterable
from datetime import date, timedelta

from .errors import require_count, require_date

Pause = tuple[date, date]

_DAY = timedelta(days=1)


def add_working_days(
    day: date, count: int, holidays: Collection[date] = frozenset()
) -> date:
    """The `count`-th working day after `day` (Monday to Friday, not a holiday)."""
    require_date(day, "day")
    require_count(count, "count")
    while count:
        day += _DAY
        if day.weekday() < 5 and day not in holidays:
            count -= 1
    return day


def in_pause(day: date, pauses: Iterable[Pause]) -> bool:
    """Whether `day` falls in one of the inclusive (start, end) ranges."""
    return any(start <= day <= end for start, end in pauses)


def is_send_day(
    day: date,
    weekdays: Collection[int],
    pauses: Iterable[Pause],
    holidays: Collection[date] = frozenset(),
) -> bool:
    """Whether notices may go out on `day` (weekdays as `date.weekday()`, Monday 0)."""
    return (
        day.weekday() in weekdays and day not in holidays and not in_pause(day, pauses)
    )


def next_send_day(
    day: date,
    weekdays: Collection[int],
    pauses: Iterable[Pause],
    holidays: Collection[date] = frozenset(),
) -> date | None:
    """First send day on or after `day`; None when no weekday is a send day."""
    if not any(0 <= weekday <= 6 for weekday in weekdays):
        return None
    pauses = tuple(pauses)
    while True:
        pause_end = max(
            (end for start, end in pauses if start <= day <= end), default=None
        )
        if pause_end is not None:
            day = pause_end + _DAY  # jump over the whole pause at once
        elif day.weekday() not in weekdays or day in holidays:
            day += _DAY
        else:
            return day


def easter_sunday(year: int) -> date:
    """Western Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _easter_based(year: int) -> tuple[date, date, date]:
    """Easter Monday, Ascension Day and Whit Monday of `year`."""
    easter = easter_sunday(year)
    return (
        easter + timedelta(days=1),
        easter + timedelta(days=39),
        easter + timedelta(days=50),
    )


def nl_public_holidays(year: int) -> frozenset[date]:
    """Dutch public holidays on which offices are closed (King's Day rules of 2014)."""
    # Algemene termijnenwet art. 3 lists the days; Good Friday is only assimilated for
    # legal deadlines (art. 3(2)) and is a working day for most offices, so it is left
    # out. 5 May is listed every year, but most collective agreements give the day off
    # only in lustrum years (2025, 2030, ...), which is what counts for sending mail.
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:  # on a Sunday it moves to Saturday 26 April
        kings_day = date(year, 4, 26)
    days = {date(year, 1, 1), kings_day, date(year, 12, 25), date(year, 12, 26)}
    days.update(_easter_based(year))
    if year % 5 == 0:
        days.add(date(year, 5, 5))
    return frozenset(days)


def be_public_holidays(year: int) -> frozenset[date]:
    """The ten legal public holidays of Belgium (Royal Decree of 18 April 1974)."""
    fixed = ((1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25))
    return frozenset({date(year, month, day) for month, day in fixed}).union(
        _easter_based(year)
    )
