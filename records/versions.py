"""Versions on return (版本): each submission is frozen, and a reviewer sees what changed.

A quarterly report's submission freezes its text (work done, problems, next steps); a
problem's plan submission freezes its root-cause analysis, measures and planned date.
``diff`` compares two frozen versions field by field, for a side-by-side view: Chinese
has no spaces between words, so the text is compared sentence by sentence, and inside a
changed sentence character by character, so only what was really changed is marked.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from accounts.models import User

from .kinds import kind_of, of_type
from .models import Version

# compared as one value: a changed date is replaced whole, not digit by digit
ATOMIC_FIELDS = {"planned_date"}

EQUAL, DELETE, INSERT = "equal", "delete", "insert"


def fields_of(record) -> tuple[str, ...]:
    """What a submission of ``record`` freezes (its kind's content fields)."""
    return kind_of(record).content_fields


def _frozen(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def freeze(*, record, number: int, by: User, task=None) -> Version:
    """Keep what the record says now as version ``number`` (call inside the submitting
    service, after the content is written and the counter moved on)."""
    content = {field: _frozen(getattr(record, field)) for field in fields_of(record)}
    return Version.objects.create(record=record, number=number, content=content,
                                  submitted_by=by, task=task)


def versions_of(record) -> QuerySet[Version]:
    """Every version of the record, oldest first, with who submitted it (one query)."""
    return Version.objects.of(record).select_related("submitted_by").order_by("number")


# -- the diff --------------------------------------------------------------------------------

# a sentence ends with its punctuation (kept), or a line ends
_SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+|\n|$)")


def sentences(text: str) -> list[str]:
    return [piece for piece in _SENTENCE.findall(text) if piece]


@dataclass(frozen=True)
class Segment:
    kind: str  # equal, delete (only on the old side), insert (only on the new side)
    text: str


@dataclass
class FieldDiff:
    field: str
    label: str
    changed: bool
    old: str
    new: str
    old_segments: list[Segment]
    new_segments: list[Segment]

    @property
    def old_html(self) -> SafeString:
        return render(self.old_segments)

    @property
    def new_html(self) -> SafeString:
        return render(self.new_segments)


def _add(segments: list[Segment], kind: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1].kind == kind:
        segments[-1] = Segment(kind, segments[-1].text + text)
    else:
        segments.append(Segment(kind, text))


def _characters(old: str, new: str, left: list[Segment], right: list[Segment]) -> None:
    """Mark the changed characters of one changed passage."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    if matcher.ratio() < 0.3:
        # rewritten rather than edited: a character diff would only scatter marks
        _add(left, DELETE, old)
        _add(right, INSERT, new)
        return
    opcodes = matcher.get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        # one character that happens to match between two changes (理 in 管理 → 办理) is
        # part of the change: marking it unchanged would only break the change in pieces
        stray = (op == "equal" and i2 - i1 == 1 and 0 < index < len(opcodes) - 1)
        if op == "equal" and not stray:
            _add(left, EQUAL, old[i1:i2])
            _add(right, EQUAL, new[j1:j2])
        else:
            _add(left, DELETE, old[i1:i2])
            _add(right, INSERT, new[j1:j2])


def diff_text(old: str, new: str, *, atomic: bool = False) -> tuple[list[Segment], list[Segment]]:
    """Two lists of segments, the old text's and the new text's, with the changes marked."""
    left: list[Segment] = []
    right: list[Segment] = []
    if old == new:
        _add(left, EQUAL, old)
        _add(right, EQUAL, new)
        return left, right
    if atomic:
        _add(left, DELETE, old)
        _add(right, INSERT, new)
        return left, right
    a, b = sentences(old), sentences(new)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            _add(left, EQUAL, before)
            _add(right, EQUAL, after)
        elif op == "replace":
            _characters(before, after, left, right)
        else:
            _add(left, DELETE, before)
            _add(right, INSERT, after)
    return left, right


TAGS = {DELETE: "del", INSERT: "ins"}


def render(segments: list[Segment]) -> SafeString:
    """HTML-escaped text with <del> and <ins> around the changes."""
    html = []
    for segment in segments:
        text = escape(segment.text)
        tag = TAGS.get(segment.kind)
        html.append(f"<{tag}>{text}</{tag}>" if tag else text)
    return mark_safe("".join(html))  # noqa: S308 (every piece of text is escaped above)


def _label(model, field: str) -> str:
    return capfirst(str(model._meta.get_field(field).verbose_name))


def diff(old: Version | None, new: Version) -> list[FieldDiff]:
    """Field by field, what ``new`` changed from ``old`` (everything is new without ``old``)."""
    kind = of_type(new.record_type_id)
    rows = []
    for field in kind.content_fields:
        before = (old.content.get(field, "") if old else "") or ""
        after = new.content.get(field, "") or ""
        left, right = diff_text(before, after, atomic=field in ATOMIC_FIELDS)
        rows.append(FieldDiff(field=field, label=_label(kind.model, field), changed=before != after,
                              old=before, new=after, old_segments=left, new_segments=right))
    return rows


def with_previous(record, number: int
                  ) -> tuple[Version | None, Version | None]:
    """Version ``number`` of the record and the one before it (one query)."""
    found = {v.number: v for v in versions_of(record).filter(number__in=[number - 1, number])}
    return found.get(number), found.get(number - 1)


def latest_changes(record) -> dict | None:
    """For a reviewer: the last submission against the one before, or None on the first."""
    number = record.version_number
    if number < 2:
        return None
    current, previous = with_previous(record, number)
    if current is None or previous is None:
        return None
    return {"current": current, "previous": previous, "rows": diff(previous, current),
            "opinions": list(record.opinions.filter(version=previous.number)
                             .select_related("author", "on_behalf_of"))}


def labelled(version: Version) -> list[tuple[str, str]]:
    """The frozen fields of a version with their labels, in the form's order."""
    kind = of_type(version.record_type_id)
    return [(_label(kind.model, field), version.content.get(field, "") or "")
            for field in kind.content_fields]
