"""Django settings: everything comes from the environment (see config/env.py and the README)."""
from datetime import timedelta
from pathlib import Path

import dj_database_url

from config.env import BASE_DIR, env_bool, env_float, env_int, env_list, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or (
    "insecure-development-key-do-not-use-in-production" if DEBUG else ""
)
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from our static files, not a CDN
    "django_celery_beat",
    "axes",  # admin (and token) login lockout per username and client address
    "core",
    "segmentation",
    "leads",
    "campaigns",
    "operations",  # work spanning the apps: nightly pipeline, demo, job/import API and admin, dashboard
    # last: its ready() imports every admin module, which may name job kinds the apps register in their ready()
    "django.contrib.admin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into core.login_guard's answer
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

VAR_DIR = BASE_DIR / "var"
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "campaign_engine.sqlite3",
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Login lockout (django-axes) -------------------------------------------------
# the axes backend first: it refuses a locked-out username + address before a password is checked
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("ADMIN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.login_guard.client_address"
AXES_LOCKOUT_CALLABLE = "core.login_guard.lockout_response"
AXES_VERBOSE = False  # no start-up banner in every command's output; lockouts are still logged (core.login_guard)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 200) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SHARED_DATA_DIR = Path(env_str("SHARED_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))

# --- Celery -----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A job's message is acknowledged when the task ends, not when it starts: a worker killed mid-job leaves the
# message to be delivered again (the run record decides what that delivery does: core.jobs.job_for_delivery).
CELERY_TASK_ACKS_LATE = True
# ...and a worker process that dies (SIGKILL, out of memory) puts the message back instead of acknowledging it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Losing the broker connection cancels the jobs in progress: their messages come back to another worker, whose
# delivery finds the run (dead or still alive) by its record rather than running it twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Hours-long jobs: a worker takes one message at a time, so a queued job never waits behind a running one in a
# busy worker's prefetch while another worker is idle.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# pandas/scikit-learn leave large freed arenas behind: a fresh worker process after a few jobs returns them.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 20)
# Every task declares its own soft and hard time limits (core.jobs.TIME_LIMITS); these cap any task that does not.
CELERY_TASK_SOFT_TIME_LIMIT = 3600
CELERY_TASK_TIME_LIMIT = 3600 + 300
# Redis redelivers a message not acknowledged within the visibility timeout, even to a second worker while the
# first is still on it: it must exceed the longest hard time limit (the nightly run's), or a long job would be
# started twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 8 * 3600}
CELERY_TASK_TRACK_STARTED = True
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
NIGHTLY_HOUR = env_int("NIGHTLY_HOUR", 2)
# A running job's heartbeat is written every JOB_HEARTBEAT_SECONDS by a side thread; with none for
# JOB_STALE_SECONDS its worker is taken for dead and the run released. JOB_STALE_MINUTES (the older variable)
# still counts when set and JOB_STALE_SECONDS is not.
JOB_HEARTBEAT_SECONDS = env_float("JOB_HEARTBEAT_SECONDS", 5.0)
JOB_STALE_SECONDS = env_float("JOB_STALE_SECONDS", env_float("JOB_STALE_MINUTES", 1.0) * 60)
JOB_STALE_MINUTES = JOB_STALE_SECONDS / 60
# A chunked stage (core.chunks: re-score, offer attachment, segment assignment) is split by id range into at
# least JOB_CHUNKS chunks, more when one would hold over JOB_CHUNK_ROWS rows; every worker takes chunks.
JOB_CHUNKS = env_int("JOB_CHUNKS", 4)
JOB_CHUNK_ROWS = env_int("JOB_CHUNK_ROWS", 250_000)

SEGMENT_HISTORY_RUNS = env_int("SEGMENT_HISTORY_RUNS", 90)
# A re-cluster spread over workers fits on this many customers (a seeded sample; every customer when there are
# no more), then assigns everyone in chunks (segmentation.recluster_chunks).
RECLUSTER_FIT_SAMPLE = env_int("RECLUSTER_FIT_SAMPLE", 200_000)

# --- Lead scoring -------------------------------------------------------------
LEAD_TIER_HOT = env_float("LEAD_TIER_HOT", 70.0)
LEAD_TIER_WARM = env_float("LEAD_TIER_WARM", 40.0)
LEAD_RETRAIN_MIN_NEW_OUTCOMES = env_int("LEAD_RETRAIN_MIN_NEW_OUTCOMES", 200)
LEAD_MODEL_ALGORITHMS = tuple(env_list(
    "LEAD_MODEL_ALGORITHMS", "logistic_regression,hist_gradient_boosting,random_forest"))

# --- REST API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # proxies in front of the app that append to X-Forwarded-For; 0: the TCP peer is the client (throttles and
    # the login lockout key on it, so a client cannot pick its own address with a forged header)
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0),
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_str("API_THROTTLE_AUTH", "20/min"),
        "write": env_str("API_THROTTLE_WRITE", "600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "campaign-engine API",
    "DESCRIPTION": "Segments, next best offers, campaign lift and prioritised lead queues.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # the docs pages load Swagger UI / ReDoc from our own static files (drf-spectacular-sidecar): they work offline
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},  # no badge fetched from validator.swagger.io
    "REDOC_DIST": "SIDECAR",
    # system fonts: the stock ReDoc page would fetch Montserrat and Roboto from Google Fonts (core.offline_assets)
    "REDOC_UI_SETTINGS": {"theme": {"typography": {"fontFamily": "system-ui, sans-serif",
                                                   "headings": {"fontFamily": "system-ui, sans-serif"}}}},
    "ENUM_NAME_OVERRIDES": {
        "JobKindEnum": "core.registry.job_kind_choices",  # the kinds the apps register
        "JobStatusEnum": "core.models.JobRun.Status",
        "SegmentationRunStatusEnum": "segmentation.models.SegmentationRun.Status",
        "CampaignStatusEnum": "campaigns.models.Campaign.Status",
        "AssignmentStatusEnum": "campaigns.models.OfferAssignment.Status",
        "LeadStageEnum": "leads.models.Lead.Stage",
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

# --- Security (production: DJANGO_DEBUG=0) -------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
