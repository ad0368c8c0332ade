"""When staff can take transferred calls (Asia/Tokyo).

Syntax (``MADOGUCHI_OFFICE_HOURS``): ``always``, ``never``, or ``;``-separated rules
``DAYS HH:MM-HH:MM`` where DAYS is ``weekdays``, ``daily``, one day (``mon``) or a range (``mon-fri``),
e.g. ``weekdays 08:45-17:30; sat 09:00-12:00``. Except with ``always``, Japanese public holidays (the
maintained ``holidays`` library) and the municipal year-end closure (12/29-1/3) are closed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

import holidays

from core.clock import to_tokyo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES_JA = ("月曜", "火曜", "水曜", "木曜", "金曜", "土曜", "日曜")
_RULE = re.compile(r"^(?P<days>[a-z]+(?:-[a-z]+)?)\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$")


class OfficeHoursError(ValueError):
    """The office hours setting could not be parsed."""


@dataclass(frozen=True)
class HoursRule:
    days: frozenset[int]  # 0 = Monday
    start: time
    end: time


def _days(spec: str) -> frozenset[int]:
    if spec == "weekdays":
        return frozenset(range(5))
    if spec == "daily":
        return frozenset(range(7))
    first, _, last = spec.partition("-")
    if first not in DAY_NAMES or (last and last not in DAY_NAMES):
        raise OfficeHoursError(f"unknown day {spec!r}; use weekdays, daily, mon..sun or a range like mon-fri")
    a, b = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
    if b < a:
        raise OfficeHoursError(f"day range {spec!r} runs backwards")
    return frozenset(range(a, b + 1))


def _clock(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    if hour == 24 and minute == 0:
        return time.max
    try:
        return time(hour, minute)
    except ValueError as exc:
        raise OfficeHoursError(f"bad time {text!r}") from exc


def is_year_end_closure(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


class OfficeHours:
    def __init__(self, spec: str) -> None:
        self.spec = spec.strip()
        self.always = self.spec.lower() == "always"
        self.never = self.spec.lower() == "never"
        self.rules: tuple[HoursRule, ...] = ()
        if not (self.always or self.never):
            rules = []
            for part in filter(None, (p.strip().lower() for p in self.spec.split(";"))):
                match = _RULE.match(part)
                if not match:
                    raise OfficeHoursError(f"cannot read office hours rule {part!r} (example: weekdays 08:45-17:30)")
                start, end = _clock(match["start"]), _clock(match["end"])
                if end <= start:
                    raise OfficeHoursError(f"office hours rule {part!r} ends before it starts")
                rules.append(HoursRule(_days(match["days"]), start, end))
            if not rules:
                raise OfficeHoursError("office hours are empty; use always, never or e.g. weekdays 08:45-17:30")
            self.rules = tuple(rules)
        self._holidays = holidays.country_holidays("JP")

    def is_closed_day(self, day: date) -> bool:
        return day in self._holidays or is_year_end_closure(day)

    def is_open(self, moment: datetime) -> bool:
        if self.always:
            return True
        if self.never:
            return False
        local = to_tokyo(moment)
        if self.is_closed_day(local.date()):
            return False
        now = local.time()
        return any(local.weekday() in r.days and r.start <= now < r.end for r in self.rules)

    def describe_ja(self) -> str:
        """The hours as a caller hears them, e.g. 平日の8時45分から17時30分まで（祝日と年末年始を除く）."""
        if self.always:
            return "24時間"
        if self.never:
            return "現在、電話での受付を行っておりません"
        parts = [f"{_days_ja(r.days)}の{_time_ja(r.start)}から{_time_ja(r.end)}まで" for r in self.rules]
        return "、".join(parts) + "です。祝日と年末年始はお休みです"


def _days_ja(days: frozenset[int]) -> str:
    if days == frozenset(range(5)):
        return "平日"
    if days == frozenset(range(7)):
        return "毎日"
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAY_NAMES_JA[ordered[0]]}から{DAY_NAMES_JA[ordered[-1]]}"
    return "と".join(DAY_NAMES_JA[d] for d in ordered)


def _time_ja(moment: time) -> str:
    if moment == time.max:
        return "24時"
    return f"{moment.hour}時" + (f"{moment.minute}分" if moment.minute else "")
