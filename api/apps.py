from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API (v1): what people do in the browser, for other systems."""

    name = "api"
    verbose_name = "API"
