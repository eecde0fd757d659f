"""Any kind of record (records.kinds) read the same way: the serializers of a kind without
its own (its fields as they are, the people and units in them named, its history)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Unit, User

from .common import PROVISIONAL, PersonSerializer, UnitRefSerializer
from .trail import HistoryEntrySerializer, OpinionSerializer, PathStepSerializer, UrgeSerializer

# the engine's bookkeeping, not the record's
HIDDEN = {"process", "review_level"}


def record_serializers(kind) -> tuple[type[serializers.Serializer], type[serializers.Serializer]]:
    """(a list row, one record) for ``kind``: every field but the content and the annexes
    in a row; everything, with the history, the path ahead, opinions and urges, for one."""
    model = kind.model
    fields = [f for f in model._meta.concrete_fields if f.name not in HIDDEN]
    named = {}
    for f in fields:
        if f.is_relation and f.related_model is User:
            named[f.name] = PersonSerializer(allow_null=f.null, read_only=True)
        elif f.is_relation and f.related_model is Unit:
            named[f.name] = UnitRefSerializer(read_only=True)
    bulky = [f.name for f in fields
             if f.name in kind.content_fields or isinstance(f, models.JSONField)]
    row = [f.name for f in fields if f.name not in bulky]
    extra = {"is_overdue": serializers.BooleanField(read_only=True)}
    if hasattr(model, "step_due_date_is_provisional"):
        extra["step_due_date_provisional"] = serializers.BooleanField(
            source="step_due_date_is_provisional", read_only=True, help_text=PROVISIONAL)
    name = model.__name__
    listed = type(f"{name}Serializer", (serializers.ModelSerializer,), {
        **named, **extra,
        "Meta": type("Meta", (), {"model": model, "fields": [*row, *extra]}),
    })
    detail = type(f"{name}DetailSerializer", (listed,), {
        "history": HistoryEntrySerializer(many=True, read_only=True),
        "path_ahead": PathStepSerializer(many=True, read_only=True),
        "opinions": OpinionSerializer(many=True, read_only=True),
        "urges": UrgeSerializer(many=True, source="urge_list", read_only=True),
        "Meta": type("Meta", (), {"model": model, "fields": [
            *row, *extra, *bulky, "history", "path_ahead", "opinions", "urges"]}),
    })
    return listed, detail


class RecordFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    status = serializers.CharField(required=False, max_length=20,
                                   help_text=_("One of the kind's statuses."))
