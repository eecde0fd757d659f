"""People, units, authentication and what every answer shares."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Post, Unit, User
from records import kinds


class ErrorSerializer(serializers.Serializer):
    """Every error: a message in the request's language, and the message of each field."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.JSONField(), required=False)


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["code", "name"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["username", "name"]


class PostSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()

    class Meta:
        model = Post
        fields = ["role", "unit", "valid_from", "valid_to"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    posts = PostSerializer(many=True, help_text=_("Posts held today."))
    units = serializers.ListField(child=serializers.CharField(),
                                  help_text=_("Codes of the units where I am head or liaison."))
    oversees = serializers.ListField(child=serializers.CharField(),
                                     help_text=_("Codes of the units I oversee as a leader."))
    sees_everything = serializers.BooleanField()
    can_register_problems = serializers.BooleanField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False,
                                     style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ItemSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(kinds.KINDS),
                                   help_text=_("The kind of record (report, problem …)."))
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()


def item_of(record) -> dict:
    return {"type": kinds.kind_of(record).key,
            "id": record.pk, "title": str(record), "status": record.status}


PROVISIONAL = _("The deadline beside it was counted Monday to Friday in a year whose holidays "
                "are not entered yet; it is counted again once they are.")


@extend_schema_field(OpenApiTypes.BINARY)
class BinaryField(serializers.Field):
    pass
