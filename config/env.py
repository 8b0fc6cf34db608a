"""Every environment variable the project reads, in one place (documented in the README).

Defaults run on a bare machine: SQLite file, tasks in-process, DEBUG on.
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENV_VARS = {
    "DATABASE_URL": "PostgreSQL URL (postgres://user@host:5432/db). Unset: SQLite file var/campaign_engine.sqlite3.",
    "REDIS_URL": "Celery broker and result backend (redis://host:6379/0). Unset: tasks run in-process.",
    "DJANGO_DEBUG": "1 for development (default), 0 in production.",
    "DJANGO_SECRET_KEY": "Required when DJANGO_DEBUG=0.",
    "DJANGO_ALLOWED_HOSTS": "Comma separated host names (default localhost,127.0.0.1).",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "Comma separated origins for HTTPS deployments.",
    "DJANGO_SECURE_SSL_REDIRECT": "Redirect HTTP to HTTPS when DEBUG is off (default 1).",
    "SHARED_DATA_DIR": "Folder with the real public datasets (default ../shared/data).",
    "MEDIA_ROOT": "Where uploads and model artifacts are stored (default var/media).",
    "UPLOAD_MAX_MB": "Largest accepted import upload in MiB (default 200).",
    "NIGHTLY_HOUR": "Hour (server time zone) of the nightly re-cluster/re-score (default 2).",
    "SEGMENT_HISTORY_RUNS": "Published segmentation runs whose memberships (customer history) are kept (default 90).",
    "LEAD_TIER_HOT": "Score at or above which a lead is hot (default 70).",
    "LEAD_TIER_WARM": "Score at or above which a lead is warm (default 40).",
    "LEAD_RETRAIN_MIN_NEW_OUTCOMES": "New outcomes that trigger a retrain before the weekly one (default 200).",
    "LEAD_MODEL_ALGORITHMS": "Candidate algorithms the lead model training compares (default all three).",
    "JOB_HEARTBEAT_SECONDS": "How often a running job's side thread writes its heartbeat (default 5).",
    "JOB_STALE_SECONDS": "A running job with no heartbeat for this long is marked failed and its lock released, "
                         "so the next trigger runs at once (default 60).",
    "JOB_STALE_MINUTES": "The older form of JOB_STALE_SECONDS, in minutes; read only when that is unset.",
    "JOB_CHUNKS": "A chunked stage (re-score, offer attachment, segment assignment) is split into at least this many "
                  "id ranges that every worker takes (default 4).",
    "JOB_CHUNK_ROWS": "At most this many rows in one chunk; more chunks when needed (default 250000).",
    "CELERY_WORKER_MAX_TASKS_PER_CHILD": "Jobs a worker process runs before it is replaced (default 20).",
    "API_THROTTLE_AUTH": "Token requests allowed per client (default 20/min).",
    "API_THROTTLE_WRITE": "Write requests allowed per user (default 600/min).",
    "API_NUM_PROXIES": "Trusted proxies in front of the app appending to X-Forwarded-For; throttles and the login "
                       "lockout key on the address they saw (default 0: the connecting address).",
    "ADMIN_LOCKOUT_FAILURES": "Failed logins for one username from one address before it is locked out (default 5).",
    "ADMIN_LOCKOUT_MINUTES": "How long such a lockout lasts, in minutes (default 15).",
}
