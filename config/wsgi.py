import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from .celery import load_publishing  # noqa: E402

load_publishing()

# What loading the app allocated lives as long as the process: kept out of the garbage
# collector's full passes (which otherwise walk it again every so often, mid-request).
gc.collect()
gc.freeze()
