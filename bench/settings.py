"""Settings for the benchmark only: DutyChain's, plus the bare viewflow flow (bench/flows.py)
served next to ours at /bare/, so that both are measured by the same server in the same run."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "bench.wsgi.application"

# the in-process page timings use Django's test client ("testserver")
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
