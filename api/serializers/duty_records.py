"""Duty records (履责纪实): my items with their counters, the records, their versions and
evidence, recording and reviewing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.typed import Text
from records.duty_seats import Light
from records.models import DutyItem, DutyRecord, DutyRecordEvidence, DutyRecordVersion

from .common import PersonSerializer, UnitRefSerializer
from .duties import DutyListSerializer

LIGHTS = [(Light.GREEN, _("On track")), (Light.YELLOW, _("Behind the pro-rata target")),
          (Light.RED, _("A period ended below its target")), (Light.NONE, _("No target"))]
REVIEW_DECISIONS = [("accept", _("Accept")), ("return", _("Return for revision"))]
HIDDEN = _("Null for a talk whose content is not mine to read (only its author, its "
           "participants and its reviewer read it).")


class DutyPeriodSerializer(serializers.Serializer):
    label = serializers.CharField()
    done = serializers.IntegerField()
    target = serializers.IntegerField(allow_null=True)
    ended = serializers.BooleanField()


class MyDutyItemSerializer(serializers.Serializer):
    """One item I carry, with the counter of the place I record it for (my unit's, mine)."""

    number = serializers.IntegerField(source="item.number")
    title = serializers.CharField(source="item.title")
    period = serializers.ChoiceField(source="item.period", choices=DutyItem.Period.choices)
    target = serializers.IntegerField(source="item.target", allow_null=True,
                                      help_text=_("How many times each period."))
    as_needed = serializers.BooleanField(source="item.as_needed")
    done = serializers.IntegerField(help_text=_("Done in the current period."))
    done_year = serializers.IntegerField(help_text=_("Done this year."))
    expected = serializers.IntegerField(
        help_text=_("What the target asks by today, pro rata over the current period."))
    light = serializers.ChoiceField(choices=LIGHTS)
    talk = serializers.BooleanField(
        help_text=_("The last two periods that ended both fell short of the target (约谈)."))
    next_deadline = serializers.DateField(
        allow_null=True, help_text=_("The last day to record the current period's work."))
    periods = DutyPeriodSerializer(many=True)


class MyDutiesSerializer(serializers.Serializer):
    duty_list = DutyListSerializer(allow_null=True,
                                   help_text=_("This year's list; null before it is issued."))
    items = MyDutyItemSerializer(many=True)


class DutyItemRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = DutyItem
        fields = ["number", "title"]


class DutyEvidenceSerializer(serializers.ModelSerializer):
    uploaded_by = PersonSerializer()

    class Meta:
        model = DutyRecordEvidence
        fields = ["id", "name", "size", "content_type", "sha256", "uploaded_by", "uploaded_at"]


class DutyRecordVersionSerializer(serializers.ModelSerializer):
    submitted_by = PersonSerializer()
    decision = serializers.CharField(
        help_text=_("“accepted” or “returned”; empty while it awaits review."))
    decided_by = PersonSerializer(allow_null=True)

    class Meta:
        model = DutyRecordVersion
        fields = ["number", "submitted_by", "submitted_at", "decision", "opinion",
                  "decided_by", "decided_at"]


class DutyRecordSerializer(serializers.ModelSerializer):
    """A record; a talk's content (place, organiser, guests, summary, the late reason, the
    items) is null for whoever may not read it: they see when, what kind, whose and who
    took part."""

    unit = UnitRefSerializer(help_text=_("The unit whose post it was recorded for."))
    author = PersonSerializer()
    participants = PersonSerializer(many=True)
    reviewed_by = PersonSerializer(allow_null=True)
    full = serializers.BooleanField(help_text=_("Whether I read its content."))
    place = serializers.CharField(allow_null=True, help_text=HIDDEN)
    organiser = serializers.CharField(allow_null=True, help_text=HIDDEN)
    guests = serializers.CharField(allow_null=True, help_text=HIDDEN)
    summary = serializers.CharField(allow_null=True, help_text=HIDDEN)
    late_reason = serializers.CharField(allow_null=True, help_text=HIDDEN)
    items = serializers.SerializerMethodField(help_text=HIDDEN)

    # the fields a talk hides
    CONTENT = ("place", "organiser", "guests", "summary", "late_reason", "items")

    class Meta:
        model = DutyRecord
        fields = ["id", "date", "kind", "unit", "author", "participants", "status", "version",
                  "is_late", "sampled", "reviewed_by", "reviewed_at", "created_at", "full",
                  "place", "organiser", "guests", "summary", "late_reason", "items"]

    @extend_schema_field(DutyItemRefSerializer(many=True, allow_null=True))
    def get_items(self, record):
        counted = sorted(record.counted.all(), key=lambda row: row.item.number)
        return DutyItemRefSerializer([row.item for row in counted], many=True).data

    def to_representation(self, record):
        data = super().to_representation(record)
        if not record.full:
            data.update(dict.fromkeys(self.CONTENT))
        return data


class DutyRecordDetailSerializer(DutyRecordSerializer):
    versions = DutyRecordVersionSerializer(many=True, allow_null=True, help_text=HIDDEN)
    evidence = DutyEvidenceSerializer(many=True, allow_null=True, help_text=HIDDEN)
    can_review = serializers.BooleanField(help_text=_("It awaits my review today."))
    can_resubmit = serializers.BooleanField(
        help_text=_("It was returned to me: I correct it and submit it again."))
    can_add_evidence = serializers.BooleanField(
        help_text=_("I recorded it and it is not accepted yet: I may add files."))

    CONTENT = (*DutyRecordSerializer.CONTENT, "versions", "evidence")

    class Meta(DutyRecordSerializer.Meta):
        fields = [*DutyRecordSerializer.Meta.fields, "versions", "evidence", "can_review",
                  "can_resubmit", "can_add_evidence"]


class DutyRecordFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text=_("The list's year; this year's by default."))
    item = serializers.IntegerField(required=False, min_value=1, max_value=1000,
                                    help_text=_("Counted for this item (its number)."))
    unit = serializers.CharField(required=False, max_length=40, help_text=_("A unit code."))
    bureau = serializers.CharField(
        required=False, max_length=40,
        help_text=_("A bureau's code: for the secretary, the committees and the stationed "
                    "group, whose list is one bureau's at a time (their own by default)."))
    status = serializers.ChoiceField(required=False, choices=DutyRecord.Status.choices)
    kind = serializers.ChoiceField(required=False, choices=DutyRecord.Kind.choices)
    late = serializers.BooleanField(required=False, help_text=_("Only late ones (补录)."))
    review = serializers.BooleanField(
        required=False, help_text=_("Only those awaiting my review today (or the review of "
                                    "whoever I act for)."))


class DutyRecordWriteSerializer(serializers.Serializer):
    """What was done, for which items of my posts, with whom: one record, counted for every
    item it serves."""

    kind = serializers.ChoiceField(choices=DutyRecord.Kind.choices)
    date = serializers.DateField(help_text=_("The day it happened; a record entered later "
                                             "than the list allows needs late_reason."))
    place = Text(required=False, allow_blank=True, max_length=200)
    organiser = Text(required=False, allow_blank=True, max_length=100)
    guests = Text(required=False, allow_blank=True, max_length=500,
                  help_text=_("People outside the chain, by name."))
    summary = Text(max_length=4000)
    late_reason = Text(required=False, allow_blank=True, max_length=500,
                       help_text=_("Why it is recorded late (补录), when it is."))
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=1000), max_length=100,
        help_text=_("The numbers of the list's items it counts for (items of my posts)."))
    participants = serializers.ListField(
        child=Text(max_length=150), required=False, max_length=200,
        help_text=_("Usernames of the people of the chain who took part."))


class DutyRecordReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=REVIEW_DECISIONS)
    opinion = Text(required=False, allow_blank=True, max_length=2000,
                   help_text=_("Required to return it: what to correct."))
