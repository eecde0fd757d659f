"""DutyChain's REST API v1 (djangorestframework), described by OpenAPI (drf-spectacular)."""
