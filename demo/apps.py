from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo bureau: `manage.py load_demo`."""

    name = "demo"
