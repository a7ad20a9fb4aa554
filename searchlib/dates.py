"""Date bounds as people type them: a year, a year and month, or a full date.

``since=2020`` means from 2020-01-01 and ``until=2020`` up to 2020-12-31; ``2020-02`` is
February. The command line and the REPL read ``--since``/``--until`` and ``:filter since=``
through this one function, so both accept the same forms.
"""

from __future__ import annotations

import datetime as _dt
import re

__all__ = ["DATE_FORMS", "date_bound"]

DATE_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"
_FORM = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def date_bound(text: str, end: bool = False) -> _dt.date:
    """The first day of the period ``text`` names (its last day when ``end``); ValueError with
    a message naming the accepted forms when it names none.

    >>> date_bound("2020"), date_bound("2020", end=True), date_bound("2020-02", end=True)
    (datetime.date(2020, 1, 1), datetime.date(2020, 12, 31), datetime.date(2020, 2, 29))
    """
    m = _FORM.fullmatch(text.strip())
    try:
        if m is None:
            raise ValueError
        year = int(m[1])
        if m[3] is not None:
            return _dt.date(year, int(m[2]), int(m[3]))
        if m[2] is not None:
            month = int(m[2])
            import calendar  # here: it imports locale, 1-2 ms of every command's start

            day = calendar.monthrange(year, month)[1] if end and 1 <= month <= 12 else 1
            return _dt.date(year, month, day)
        return _dt.date(year, 12, 31) if end else _dt.date(year, 1, 1)
    except ValueError:
        raise ValueError(f"not a date ({DATE_FORMS}): {text!r}") from None
