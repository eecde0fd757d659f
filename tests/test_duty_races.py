"""Duty records at the same moment (PostgreSQL's row locks): the same record sent twice at
once is kept once; a reviewer's decision racing the author's evidence or a second
reviewer leaves one decision."""

import pytest

from records.models import DutyRecord, DutyRecordVersion
from records.services import duty_records as service

from .conftest import race
from .duty_helpers import issued_list, recent_day
from .test_races import postgres_only, race_test  # noqa: F401


class Refused:
    """A racer's refusal (conftest.race raises exceptions it is given back)."""

    def __init__(self, error):
        self.error = error


pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("on_a_known_day", "postgres_only")]


def _create(duty_list, by):
    def create():
        try:
            return service.duty_record_create(
                by=by, duty_list=duty_list, items=list(duty_list.items.filter(number=14)),
                kind="meeting", date=recent_day(), summary="处务会专题研究作风治理。")
        except Exception as error:  # noqa: BLE001 (the loser's refusal is the result)
            return Refused(error)
    return create


@race_test
def test_the_same_record_sent_twice_at_once_is_kept_once(bureau, head_sanitation):
    duty_list = issued_list()
    results = race(_create(duty_list, head_sanitation), _create(duty_list, head_sanitation))
    assert sum(isinstance(result, DutyRecord) for result in results) == 1
    refused = next(result for result in results if not isinstance(result, DutyRecord))
    assert "已经记录" in " ".join(refused.error.messages)
    assert DutyRecord.objects.count() == 1


@race_test
def test_two_reviewers_at_once_decide_once(bureau, head_sanitation, jiwei_chen):
    from accounts.models import User

    # item 8 is the committee's to review; a committee member's record goes to another one
    duty_list = issued_list(item_changes={14: {"reviewer": "committee"}})
    made = _create(duty_list, head_sanitation)()
    other = User.objects.get(username="jiwei_liu")

    def decide(by, accept):
        def act():
            try:
                return service.duty_record_review(record=made, by=by, accept=accept,
                                                  opinion="" if accept else "请补充。")
            except Exception as error:  # noqa: BLE001
                return Refused(error)
        return act

    results = race(decide(jiwei_chen, True), decide(other, False))
    assert sum(isinstance(result, DutyRecord) for result in results) == 1
    version = DutyRecordVersion.objects.get(record=made)
    made.refresh_from_db()
    assert version.decision == made.status and made.status in ("accepted", "returned")
