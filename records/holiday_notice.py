"""Reading the State Council's yearly holiday notice (国务院办公厅关于某年部分节假日安排的通知).

chinese-calendar stops at the last year its release knew; for the next one the bureau has
only the notice, published around November. The administrator pastes it into the admin's
calendar page (records/calendar_admin.py); this module turns it into days — every day
named as a holiday (放假) and every weekend day worked in lieu (上班) — to be shown for
confirmation and then saved as ``WorkdayOverride`` rows (records/services/calendar.py).

Pure Python, no network and no database: the text may come with full-width or half-width
punctuation and digits, spaces, wrapped lines, 周X or 星期X, the lunar dates of the Spring
Festival in the brackets, a note on 除夕, festivals merged into one paragraph (中秋节、国庆节),
ranges crossing a month ("9月29日至10月6日") and day-only ends ("10月1日至7日"). What it
cannot read, or reads but finds odd (a weekday that does not match its date, a total 共X天
that does not match the range, a "worked" day that is a weekday anyway), is reported for
the administrator to check before saving.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
_NAME = "(?:" + "|".join(FESTIVALS) + ")"
# "一、元旦：", "六、中秋节、国庆节：", "3. 清明节:" (after NFKC the colon is ASCII)
_HEADER = re.compile(rf"^(?:[一二三四五六七八九十]+[、.]|\d+[、.])?(?P<name>{_NAME}(?:[、和与]{_NAME})*):")
# a date: an optional year, an optional month (carried from the one before), the day, and
# what the notice says about it in brackets (weekday, lunar date)
_DATE = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?:\((?P<note>[^()]*)\))?")
_RANGE = re.compile(r"^(?:至|到|-|~|—|–)$")
_TOTAL = re.compile(r"(?:共|放假)(?P<n>\d+)天")
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)(?P<w>[一二三四五六日天])")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_TITLE_YEAR = (re.compile(r"(\d{4})年(?:部分)?节假日安排"), re.compile(r"关于(\d{4})年"))
_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_TERMINATORS = "。;!?"


@dataclass
class Festival:
    """One paragraph of the notice: its days off and its weekend days worked in lieu."""

    name: str
    text: str
    holidays: list[datetime.date] = field(default_factory=list)
    workdays: list[datetime.date] = field(default_factory=list)


@dataclass(frozen=True)
class Day:
    date: datetime.date
    is_workday: bool
    festival: str


@dataclass
class Notice:
    """What was read: the year, the festivals, and what the administrator should know.

    ``errors`` stop the notice from being saved (no year, nothing read, a day both off and
    worked); ``warnings`` are odd things to check against the original before saving;
    ``notes`` are what the notice says that changes no day (除夕 stays a working day).
    """

    year: int | None
    festivals: list[Festival] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def days(self) -> list[Day]:
        """Every day to enter, in date order."""
        found = {}
        for festival in self.festivals:
            for day in festival.holidays:
                found.setdefault(day, Day(day, False, festival.name))
            for day in festival.workdays:
                found.setdefault(day, Day(day, True, festival.name))
        return [found[day] for day in sorted(found)]

    @property
    def holidays(self) -> list[datetime.date]:
        return [day.date for day in self.days if not day.is_workday]

    @property
    def workdays(self) -> list[datetime.date]:
        return [day.date for day in self.days if day.is_workday]


def normalize(text: str) -> str:
    """Half-width digits and punctuation, no spaces (lines kept)."""
    text = unicodedata.normalize("NFKC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("【", "(").replace("】", ")").replace("〔", "(").replace("〕", ")")
    return re.sub(r"[^\S\n]+", "", text)


def title_year(text: str) -> int | None:
    """The year named in the notice's title ("关于2027年部分节假日安排的通知")."""
    text = re.sub(r"[〇零一二三四五六七八九]{4}(?=年)",
                  lambda match: match.group(0).translate(_CHINESE_DIGITS), normalize(text))
    for pattern in _TITLE_YEAR:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None


def parse(text: str, year: int | None = None) -> Notice:
    """Read a pasted notice; ``year``: the year it is for, when the title does not say (or
    to read it as another year's)."""
    named = title_year(text)
    notice = Notice(year=year or named)
    if year and named and named != year:
        notice.warnings.append(_("The title names %(named)s, but the notice is read as "
                                 "%(year)s's.") % {"named": named, "year": year})
    if notice.year is None:
        notice.errors.append(_("The year could not be found in the title: choose the year "
                               "the notice is for."))
        return notice
    current = None
    for paragraph in _paragraphs(normalize(text)):
        header = _HEADER.match(paragraph)
        if header:
            current = Festival(name=header.group("name"), text=paragraph)
            notice.festivals.append(current)
            _read(paragraph[header.end():], current, notice)
        elif current is not None and ("放假" in paragraph or "上班" in paragraph):
            current.text += paragraph
            _read(paragraph, current, notice)
        else:
            current = None
            _outside(paragraph, notice)
    _check(notice)
    return notice


def _paragraphs(text: str) -> list[str]:
    """Logical paragraphs: a line wrapped in the middle of a sentence is joined to the next."""
    paragraphs: list[str] = []
    for line in filter(None, text.split("\n")):
        if paragraphs and not _HEADER.match(line) and paragraphs[-1][-1] not in _TERMINATORS:
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return paragraphs


def _dates(clause: str, notice: Notice, month: int | None
           ) -> tuple[list[tuple[datetime.date, bool]], int | None]:
    """The dates of a clause, each with whether it ends a range ("至") begun by the one
    before; and the month to carry on. Names the date's weekday when it does not match."""
    found: list[tuple[datetime.date, bool]] = []
    end = 0
    for match in _DATE.finditer(clause):
        between = clause[end:match.start()]
        end = match.end()
        month = int(match.group("m")) if match.group("m") else month
        if month is None:
            notice.warnings.append(_("“%(text)s”: a day without its month was left out.")
                                   % {"text": match.group(0)})
            continue
        year = int(match.group("y")) if match.group("y") else notice.year
        try:
            day = datetime.date(year, month, int(match.group("d")))
        except ValueError:
            notice.warnings.append(_("“%(text)s” is not a date; it was left out.")
                                   % {"text": match.group(0)})
            continue
        weekday = _WEEKDAY.search(match.group("note") or "")
        if weekday and _WEEKDAYS[weekday.group("w")] != day.weekday():
            notice.warnings.append(_("%(date)s is written as %(written)s but is a %(weekday)s: "
                                     "check the date against the original.") % {
                "date": day.isoformat(), "written": weekday.group(0),
                "weekday": weekday_name(day)})
        found.append((day, bool(found) and bool(_RANGE.match(between))))
    return found, month


def _read(paragraph: str, festival: Festival, notice: Notice) -> None:
    """One festival's sentences: days off, days worked, the total, the 除夕 note."""
    month = None
    for sentence in filter(None, re.split(f"[{_TERMINATORS}]", paragraph)):
        pending: list[tuple[datetime.date, bool]] = []
        for clause in filter(None, re.split("[,,]", sentence)):
            dates, month = _dates(clause, notice, month)
            pending += dates
            if "上班" in clause:
                festival.workdays += [day for day, _in_range in pending]
                pending = []
            elif "放假" in clause:
                days = _expand(pending, notice)
                festival.holidays += days
                pending = []
                _check_total(sentence, days, festival, notice)
        if pending:
            if "除夕" in sentence:
                notice.notes.append(_("%(festival)s: 除夕 (%(date)s) is not a day off; people "
                                      "are encouraged to take leave. It stays a working day.")
                                    % {"festival": festival.name,
                                       "date": pending[0][0].isoformat()})
            else:
                notice.warnings.append(_("%(festival)s: not understood, left out: “%(text)s”")
                                       % {"festival": festival.name, "text": sentence})


def _check_total(sentence: str, days: list[datetime.date], festival: Festival,
                 notice: Notice) -> None:
    """共X天 (or 放假X天) against the days the dates give."""
    total = _TOTAL.search(sentence)
    if total and int(total.group("n")) != len(days):
        notice.warnings.append(_("%(festival)s: the notice says %(total)s days off, but the "
                                 "dates give %(count)s.") % {
            "festival": festival.name, "total": total.group("n"), "count": len(days)})


def _expand(dates: list[tuple[datetime.date, bool]], notice: Notice) -> list[datetime.date]:
    """The days named, each range filled in ("10月1日至7日" is seven days)."""
    days: list[datetime.date] = []
    for day, ends_range in dates:
        if ends_range and days:
            start = days[-1]
            if day < start and day.month < start.month:
                # "12月30日至1月1日": the range began in the year before
                start = start.replace(year=start.year - 1)
                days[-1] = start
            if day < start:
                notice.warnings.append(_("The range %(start)s to %(end)s runs backwards; it "
                                         "was left out.") % {"start": start.isoformat(),
                                                             "end": day.isoformat()})
                continue
            days += [start + datetime.timedelta(days=n) for n in range(1, (day - start).days + 1)]
        else:
            days.append(day)
    return days


def _outside(paragraph: str, notice: Notice) -> None:
    """A paragraph outside the festivals: an arrangement here was not understood."""
    if _DATE.search(paragraph) and ("放假" in paragraph or "上班" in paragraph):
        notice.warnings.append(_("Not under a festival, left out: “%(text)s”")
                               % {"text": paragraph})


def _check(notice: Notice) -> None:
    if not notice.festivals or not notice.days:
        notice.errors.append(_("No festival with its days off was found. Paste the whole "
                               "notice, each festival as “一、元旦：1月1日放假……”."))
        return
    named = {name for festival in notice.festivals for name in re.split("[、和与]",
                                                                        festival.name)}
    missing = [name for name in FESTIVALS if name not in named]
    if missing:
        notice.warnings.append(_("Not found in the notice: %(names)s.")
                               % {"names": "、".join(missing)})
    off = {day for festival in notice.festivals for day in festival.holidays}
    for festival in notice.festivals:
        for day in festival.workdays:
            if day in off:
                notice.errors.append(_("%(date)s is both a day off and a working day.")
                                     % {"date": day.isoformat()})
            elif day.weekday() < 5:
                notice.warnings.append(_("%(festival)s: %(date)s (%(weekday)s) is worked, but "
                                         "it is a weekday anyway.") % {
                    "festival": festival.name, "date": day.isoformat(),
                    "weekday": weekday_name(day)})
        if festival.holidays and all(day.weekday() >= 5 for day in festival.holidays):
            notice.warnings.append(_("%(festival)s: every day off is an ordinary weekend day "
                                     "(%(dates)s): check the dates.") % {
                "festival": festival.name,
                "dates": "、".join(day.isoformat() for day in festival.holidays)})
    for day in notice.days:
        if day.date.year != notice.year:
            notice.warnings.append(_("%(date)s is not in %(year)s; it is entered as well.")
                                   % {"date": day.date.isoformat(), "year": notice.year})


def weekday_name(day: datetime.date) -> str:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
            _("Saturday"), _("Sunday")][day.weekday()]
