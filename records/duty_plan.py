"""Reading a year's work plan (全面从严治党工作要点) into duty items.

A plan is prose in numbered items under numbered sections::

    一、以政治建设为引领，推进全面从严治党
    1.加强政治理论学习。坚持把学习贯彻……全年组织党组理论学习中心组学习会不少于XX次……

Each numbered item becomes an item with its text and its section; its title is the text up
to the first full stop. Published plans redact their counts as X or XX ("不少于X次"): such an
item is flagged "target needed", and the committee sets the year's target. A count the plan
does give ("至少1次") is offered as the target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SECTION = re.compile(r"^\s*([一二三四五六七八九十]+)[、.．]\s*(.+?)\s*$")
ITEM = re.compile(r"^\s*(\d{1,3})\s*[.．、]\s*(.+?)\s*$")
REDACTED = re.compile(r"[XＸ]+\s*次")
# "至少1次", "不少于2次", "每季度要听取1次": the first plain count the plan gives
COUNTED = re.compile(r"(?:至少|不少于|每[年季月][度]?[^，。；]{0,12}?)(\d{1,3})\s*次")
TITLE_END = re.compile(r"[。；;]")


@dataclass(frozen=True)
class PlanItem:
    number: int
    section: str
    title: str
    text: str
    target_needed: bool
    suggested_target: int | None
    period: str  # "year", "quarter" or "month": what its counts are counted over


def _period(text: str) -> str:
    if re.search(r"每季度", text):
        return "quarter"
    if re.search(r"每月", text):
        return "month"
    return "year"


def parse_plan(text: str) -> list[PlanItem]:
    """The plan's numbered items, in order; text outside them (the preamble) is left out."""
    items: list[PlanItem] = []
    section = ""
    for line in text.splitlines():
        line = line.strip().replace("\u3000", " ")
        if not line:
            continue
        heading = SECTION.match(line)
        if heading and not ITEM.match(line):
            section = f"{heading.group(1)}、{heading.group(2)}"
            continue
        numbered = ITEM.match(line)
        if not numbered:
            continue
        body = numbered.group(2).strip()
        title = TITLE_END.split(body, maxsplit=1)[0].strip()[:200]
        counted = COUNTED.search(body)
        items.append(PlanItem(
            number=int(numbered.group(1)), section=section[:200], title=title or body[:200],
            text=body[:4000], target_needed=bool(REDACTED.search(body)),
            suggested_target=int(counted.group(1)) if counted and int(counted.group(1)) else None,
            period=_period(body)))
    return items
