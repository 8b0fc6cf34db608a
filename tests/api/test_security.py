"""Production settings pass Django's deployment checklist; the schema and docs are served."""
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

PROJECT_ROOT = settings.BASE_DIR


def test_deploy_check_is_clean_under_production_settings(tmp_path):
    # not the test process's own allowances (the browser tests' live server sets DJANGO_ALLOW_ASYNC_UNSAFE)
    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "DATABASE_URL": "",
        "STATIC_ROOT": str(tmp_path / "static"),
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "", "DATABASE_URL": ""}

    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=PROJECT_ROOT, env=env, capture_output=True,
                            text=True, timeout=120)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path, content_type", [
    ("/api/schema/", "application/vnd.oai.openapi"),
    ("/api/docs/", "text/html"),
    ("/api/redoc/", "text/html"),
])
def test_schema_and_docs_are_served(client, path, content_type):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)


# --- Password guessing: throttles key on the real client address, the login locks out ---------------------------

TOKEN_URL = "/api/v1/auth/token/"
ADMIN_LOGIN = "/admin/login/"


def forwarded_for(n: int) -> dict:
    return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}


@pytest.mark.django_db
def test_forged_forwarded_for_headers_do_not_dodge_the_token_throttle():
    from rest_framework.test import APIClient
    from tests.api.factories import PASSWORD, role_user

    role_user("sales_rep", username="rep1")
    client = APIClient()

    guesses = [client.post(TOKEN_URL, {"username": f"guess{n}", "password": "wrong"}, format="json",
                           **forwarded_for(n)).status_code for n in range(25)]
    right = client.post(TOKEN_URL, {"username": "rep1", "password": PASSWORD}, format="json", **forwarded_for(99))

    assert guesses == [400] * 20 + [429] * 5
    assert right.status_code == 429


@pytest.mark.django_db
def test_behind_one_trusted_proxy_each_forwarded_client_has_its_own_allowance(settings):
    from rest_framework.test import APIClient

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "auth": "2/min"}}
    client = APIClient()

    def guess(n: int) -> int:
        return client.post(TOKEN_URL, {"username": "x", "password": "y"}, format="json", **forwarded_for(n)).status_code

    assert [guess(1), guess(1), guess(1), guess(2)] == [400, 400, 429, 400]


def admin_login(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"},
                       REMOTE_ADDR=address)


@pytest.fixture
def admin_user(db):
    from tests.api.factories import role_user

    return role_user("superuser", username="boss")


def test_admin_login_locks_a_username_and_address_out_after_the_configured_failures(client, admin_user, caplog):
    from tests.api.factories import PASSWORD

    failures = [admin_login(client, "boss", "wrong").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    with caplog.at_level("WARNING", logger="core.login_guard"):
        right = admin_login(client, "boss", PASSWORD)

    assert settings.AXES_FAILURE_LIMIT == 5
    assert failures == [200, 200, 200, 200, 403]
    assert right.status_code == 403
    assert "locked out for 15 minutes" in right.content.decode()
    assert "_auth_user_id" not in client.session
    assert "login locked out: username='boss' address=127.0.0.1" in caplog.text


def test_a_lockout_holds_only_for_that_username_from_that_address(client, admin_user):
    from tests.api.factories import PASSWORD

    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, "boss", "wrong")

    elsewhere = admin_login(client, "boss", PASSWORD, address="198.51.100.7")

    assert elsewhere.status_code == 302
    assert elsewhere["Location"] == "/admin/"


def test_fewer_failures_than_the_limit_then_the_right_password_logs_in(client, admin_user):
    from tests.api.factories import PASSWORD

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, "boss", "wrong")

    assert admin_login(client, "boss", PASSWORD).status_code == 302


def test_admins_see_lockouts_in_the_admin(client, admin_user):
    from tests.api.factories import role_user

    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, "boss", "wrong")
    client.force_login(role_user("superuser", username="other-admin"))

    page = client.get("/admin/axes/accessattempt/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "boss" in html and "127.0.0.1" in html


def test_a_locked_out_token_request_answers_the_json_envelope(admin_user):
    from rest_framework.test import APIClient
    from tests.api.factories import PASSWORD

    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(TOKEN_URL, {"username": "boss", "password": "wrong"}, format="json")

    locked = client.post(TOKEN_URL, {"username": "boss", "password": "wrong"}, format="json")
    right = client.post(TOKEN_URL, {"username": "boss", "password": PASSWORD}, format="json")

    assert locked.status_code == 403
    assert locked.json()["error"]["code"] == "locked_out"
    assert right.status_code == 403
