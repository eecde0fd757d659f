"""Production settings: ``DJANGO_SETTINGS_MODULE=config.production``.

Everything of config/settings.py, hardened so that ``manage.py check --deploy``
is clean: HTTPS-only cookies, HSTS (configurable), the proxy's HTTPS header, a
content security policy, and no way to start without a real SECRET_KEY.
"""

import os

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS, MIDDLEWARE, env_bool, env_int

if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("Set SECRET_KEY (a long random value) in production.")
if len(os.environ["SECRET_KEY"]) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [*INSTALLED_APPS, "csp"]
MIDDLEWARE = [*MIDDLEWARE, "csp.middleware.CSPMiddleware"]
# Everything is served by the app itself (the bureau's intranet has no CDN).
_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],  # viewflow's templates use style attributes
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _POLICY
else:
    CONTENT_SECURITY_POLICY = _POLICY
