"""docker-compose.yml cannot be run here (no Docker engine), so its shape is checked by parsing it."""
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def env_example() -> dict:
    pairs = [line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line and not line.startswith("#")]
    return {key: value for key, value in pairs}


def test_stack_has_the_five_services(compose):
    assert set(compose["services"]) == {"postgres", "redis", "web", "worker", "beat"}


def test_database_and_broker_use_pinned_major_images(compose):
    assert compose["services"]["postgres"]["image"].startswith("postgres:15")
    assert compose["services"]["redis"]["image"].startswith("redis:7")


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_app_services_build_the_project_image_and_share_env(compose, service):
    spec = compose["services"][service]
    assert spec["build"] == "."
    assert spec["env_file"] == ".env"
    assert spec["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert spec["depends_on"]["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", ["postgres", "redis", "web", "worker", "beat"])
def test_every_service_has_a_healthcheck(compose, service):
    check = compose["services"][service]["healthcheck"]
    assert check["test"][0] in {"CMD", "CMD-SHELL"}
    assert check["interval"] and check["retries"] >= 3


def test_commands_run_gunicorn_worker_and_database_beat(compose):
    services = compose["services"]
    assert "gunicorn config.wsgi:application" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in services["beat"]["command"]


def test_redis_never_evicts_queued_job_messages(compose):
    command = compose["services"]["redis"]["command"]

    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"


def test_web_healthcheck_calls_the_health_endpoint(compose):
    assert any("/healthz" in part for part in compose["services"]["web"]["healthcheck"]["test"])


def test_env_example_sets_what_the_app_needs_and_points_at_the_services(env_example):
    assert env_example["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env_example["DATABASE_URL"]
    assert env_example["REDIS_URL"] == "redis://redis:6379/0"
    assert env_example["DJANGO_DEBUG"] == "0"
    assert env_example["DJANGO_SECRET_KEY"]
    assert {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "DJANGO_ALLOWED_HOSTS"} <= set(env_example)


def test_dockerfile_installs_pinned_requirements_and_runs_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r requirements.txt" in dockerfile
    assert "gunicorn" in dockerfile and "USER app" in dockerfile


def test_health_endpoint_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok"}
