"""DutyChain settings, read from the environment (see README, "Configuration")."""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = env_bool("DEBUG", False)


def local_secret_key() -> str:
    """A random key kept in var/ for a machine without SECRET_KEY: never a shared default."""
    path = VAR_DIR / "secret-key"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


# Production sets SECRET_KEY; elsewhere each machine gets its own random key.
SECRET_KEY = os.environ.get("SECRET_KEY") or local_secret_key()
# Keys the audit trail's hash chain; keep it out of the database and its backups.
AUDIT_KEY = os.environ.get("AUDIT_KEY", SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "axes",
    "viewflow",
    "viewflow.workflow",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "records",
    "flows",
    "web",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "records.middleware.AuditContextMiddleware",
    "accounts.middleware.RememberChainMiddleware",
    "accounts.middleware.PostHoldersOnlyMiddleware",
    "flows.middleware.TaskGuardMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout after repeated failed logins, per username and address (django-axes).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# what pages keep rendered (the side menu's links, per person: templates/viewflow/base_page.html)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                      "OPTIONS": {"MAX_ENTRIES": 5000}}}

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if not DEBUG and env_bool("SECURE_COOKIES", False):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where django.core.mail.backends.filebased.EmailBackend writes its messages.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dutychain@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_SUBJECT_PREFIX_DUTYCHAIN = os.environ.get("EMAIL_SUBJECT_PREFIX", "履责链")
# The address people use to reach the site, for links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# Outside channels, each a records.notifications.Channel subclass (in-app is always on).
NOTIFICATION_CHANNELS = env_list("NOTIFICATION_CHANNELS", "records.notifications.EmailChannel")
# The outbox (records/notifications.py): a pending delivery whose job is this many minutes
# overdue is enqueued again by the sweep beat runs every minute. Its job was lost: published
# by nobody (the process died between the commit and the publish) or lost by the broker. A
# job that was only slow still sends once, so this only has to exceed the usual wait of a
# delivery in the queue (a city's morning reminders are thousands of emails); a fraction
# of a minute is allowed (the tests use seconds).
DELIVERY_RESEND_AFTER_MINUTES = float(os.environ.get("DELIVERY_RESEND_AFTER_MINUTES", "5"))
# Test hook only (tests/test_worker_reliability.py): a file whose presence makes a
# delivery wait before sending, so a test can kill the worker mid-job. Never set it.
DUTYCHAIN_TEST_DELIVERY_PAUSE = os.environ.get("DUTYCHAIN_TEST_DELIVERY_PAUSE", "")

# Celery: Redis (or RabbitMQ) in production; a broker that needs no server by default.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
    # kombu's filesystem transport, with messages written atomically (see config/celery.py)
    CELERY_BROKER_TRANSPORT = "config.celery:AtomicFilesystemTransport"
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://", "redis+socket://", "sentinel://")):
    # Redis gives a job that a worker took and never acknowledged (jobs are acknowledged
    # when done, and the worker was killed) to another worker once it was taken this many
    # seconds ago; kombu's default is an hour. It must exceed the longest job (the morning
    # reminder sweep of a whole city: about 30 s; an email stuck on SMTP timeouts: a few
    # times EMAIL_TIMEOUT) plus the longest retry wait (a retry waits its countdown in a
    # worker, taken but unacknowledged: 16 s with flows/tasks.py's RETRY), or a job runs
    # twice; five minutes leaves room for both. Redis looks for such jobs about every
    # 100 s (kombu's default), so a killed worker's job runs again within about 7 minutes.
    # tests/test_outbox.py keeps this above the longest retry wait.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 300)}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Deadlines, in working days (counted with China's holidays and shifted working days).
DUTYCHAIN_DEADLINES = {
    "report_submit": env_int("REPORT_SUBMIT_WORKING_DAYS", 10),
    "report_review": env_int("REPORT_REVIEW_WORKING_DAYS", 5),
    "report_revise": env_int("REPORT_REVISE_WORKING_DAYS", 5),
    "problem_analyse": env_int("PROBLEM_ANALYSE_WORKING_DAYS", 10),
    "problem_plan_review": env_int("PROBLEM_PLAN_REVIEW_WORKING_DAYS", 5),
    "problem_revise": env_int("PROBLEM_REVISE_WORKING_DAYS", 5),
    "problem_verify": env_int("PROBLEM_VERIFY_WORKING_DAYS", 5),
    # an extension request is decided within this many working days (never after the
    # deadline it would move)
    "extension_decide": env_int("EXTENSION_DECIDE_WORKING_DAYS", 2),
}
# The leaders' annual reports of a year are due on this day (month-day) of the next year,
# counted back to the last working day on or before it when it is a day off.
DUTYCHAIN_ANNUAL_REPORT_DUE = os.environ.get("ANNUAL_REPORT_DUE", "01-20")
# Reminders: working days of warning before a deadline, and how often (calendar days)
# an overdue item is escalated again. Override one step with "flow.step", e.g.
# "rectification.rectify": {"before": 5} or "quarterlyreport.review": {...}.
DUTYCHAIN_REMINDERS = {
    "default": {"before": env_int("REMIND_WORKING_DAYS_BEFORE", 3),
                "repeat_every_days": env_int("ESCALATE_EVERY_DAYS", 7)},
}
# Approval actions (issue 8): each step's defaults are in the step table (flows/steps.py);
# these override them per "flow.step" (the step's flow and node names).
# Level-by-level review (逐级审核): the review steps that go first to the head of each unit
# above the item's unit (below the bureau), then to the supervising leader. Unset: the
# table's (the quarterly report's review); set: exactly these, comma-separated.
DUTYCHAIN_LEVEL_REVIEW = (env_list("LEVEL_REVIEW_STEPS", "")
                          if os.environ.get("LEVEL_REVIEW_STEPS") is not None else None)
# Transfer (转办): who may take over a step, e.g. {"quarterlyreport.review": ["leader"]};
# "head"/"liaison" mean of the item's unit.
DUTYCHAIN_TRANSFER = {}
# Copy to (抄送): after a step's decision, copy the item to these roles for information
# ("secretary", "committee", "stationed", "supervisor"), e.g.
# {"quarterlyreport.review": {"sign_off": ["secretary"]}}; the person deciding may add names.
DUTYCHAIN_COPY_TO = {}
# Countersign (会签): how a step that several people act on runs, per "flow.step": "all"
# (everyone acts; done when all have), "any" (the first to act decides; the others' tasks
# are cancelled as not needed) or "sequence" (one after another, in order).
DUTYCHAIN_COUNTERSIGN = {}
if os.environ.get("COUNTERSIGN_RECTIFY_PARTS"):
    DUTYCHAIN_COUNTERSIGN["rectification.rectify_parts"] = os.environ["COUNTERSIGN_RECTIFY_PARTS"]
# Evidence of rectification (佐证材料): PDF, Word, Excel and images, up to this size.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
EVIDENCE_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png"}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The issuing body printed on circulars.
CIRCULAR_ISSUER = os.environ.get("CIRCULAR_ISSUER", "中共市城市管理局机关纪律检查委员会")
# A TrueType Chinese font the approval sheet PDF embeds (empty: Debian's WenQuanYi or
# AR PL UMing, else reportlab's built-in font, see records/documents/sheet_pdf.py); `manage.py check`
# warns when the font set here cannot be used.
DUTYCHAIN_PDF_FONT = os.environ.get("DUTYCHAIN_PDF_FONT", "")
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "dutychain-demo")

# API v1 (api/): a token for programs, the session for the browser; JSON errors.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # first: an anonymous caller gets 401 with "WWW-Authenticate: Token"
        "api.authentication.PostHolderTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DutyChain API",
    "DESCRIPTION": "DutyChain (履责链) API v1: tasks, quarterly reports, problems and their "
                   "rectification, notifications and circulars. Authenticate with "
                   "`Authorization: Token <key>` (POST /api/v1/auth/token/) or the browser "
                   "session. Errors are JSON: {\"detail\": message, \"errors\": {field: "
                   "[messages]}}, in the language of Accept-Language.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "api.schema.json_bodies"],
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "records.models.QuarterlyReport.Status",
        "ProblemStatusEnum": "records.models.Problem.Status",
        "ExtensionDecisionEnum": "records.models.ExtensionRequest.Decision",
        "DutyListStatusEnum": "records.models.DutyList.Status",
        "DutyRecordStatusEnum": "records.models.DutyRecord.Status",
        "DutyRecordKindEnum": "records.models.DutyRecord.Kind",
        # the ledger's and the duty counters' lights: one field name, two choice sets
        "LightEnum": "records.ledger.LIGHTS",
        "DutyLightEnum": "api.serializers.duty_records.LIGHTS",
        "AssessmentStatusEnum": "records.models.Assessment.Status",
        "AssessmentSchemeStatusEnum": "records.models.AssessmentScheme.Status",
        "AppealStatusEnum": "records.models.Appeal.Status",
        "SubjectGroupEnum": "records.models.assessments.SubjectGroup",
        "CriterionGroupEnum": "records.models.Criterion.Group",
        "CriterionKindEnum": "records.models.Criterion.Kind",
        # a sheet's grade and the committee's grade_set: one choice set
        "GradeEnum": "records.models.assessments.Grade",
    },
    # the docs' assets come from drf-spectacular-sidecar: no CDN on the bureau's intranet
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
