"""Authentication: tokens for username + password, 401 for anonymous callers, throttles on tokens and writes."""
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.factories import PASSWORD, role_user

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def with_rates(settings, **rates):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}}


def test_token_is_issued_for_valid_credentials():
    user = role_user("sales_rep", username="rep1")

    response = APIClient().post(TOKEN_URL, {"username": "rep1", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


def test_second_token_request_returns_the_same_token():
    role_user("sales_rep", username="rep1")
    client = APIClient()

    first = client.post(TOKEN_URL, {"username": "rep1", "password": PASSWORD}, format="json").json()
    second = client.post(TOKEN_URL, {"username": "rep1", "password": PASSWORD}, format="json").json()

    assert first == second


def test_wrong_password_gives_400_without_a_token():
    role_user("sales_rep", username="rep1")

    response = APIClient().post(TOKEN_URL, {"username": "rep1", "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"error": {
        "code": "invalid", "message": "Unable to log in with provided credentials.",
        "fields": {"non_field_errors": ["Unable to log in with provided credentials."]}}}
    assert not Token.objects.exists()


def test_missing_credentials_give_a_message_per_field():
    response = APIClient().post(TOKEN_URL, {}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"username": ["This field is required."],
                                                  "password": ["This field is required."]}


def test_token_requests_are_throttled_per_client(settings):
    with_rates(settings, auth="3/min")
    client = APIClient()

    codes = [client.post(TOKEN_URL, {"username": "x", "password": "y"}, format="json").status_code for _ in range(4)]

    assert codes == [400, 400, 400, 429]


def test_throttled_answer_says_when_to_retry(settings):
    with_rates(settings, auth="1/min")
    client = APIClient()
    client.post(TOKEN_URL, {"username": "x", "password": "y"}, format="json")

    response = client.post(TOKEN_URL, {"username": "x", "password": "y"}, format="json")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_anonymous_request_gets_401_asking_for_a_token():
    response = APIClient().get("/api/v1/leads/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"error": {"code": "not_authenticated",
                                         "message": "Authentication credentials were not provided.", "fields": {}}}


def test_unknown_token_gets_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")

    response = client.get("/api/v1/customers/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_session_login_reads_the_api():
    client = APIClient()
    client.force_login(role_user("marketer"))

    assert client.get("/api/v1/customers/").status_code == 200


def test_writes_are_throttled_per_user_but_reads_are_not(settings, as_role):
    with_rates(settings, write="2/min")
    client = as_role("marketer")

    writes = [client.post("/api/v1/offers/", {}, format="json").status_code for _ in range(3)]
    read = client.get("/api/v1/offers/").status_code

    assert writes == [400, 400, 429]
    assert read == 200


def test_user_without_a_role_gets_403():
    client = APIClient()
    client.force_login(role_user(None))

    response = client.get("/api/v1/customers/")

    assert response.status_code == 403
    assert response.json()["error"] == {"code": "permission_denied", "message": "Your role does not allow this.",
                                        "fields": {}}


def test_token_of_a_deactivated_user_gets_401():
    user = role_user("marketer", username="gone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    user.is_active = False
    user.save()

    response = client.get("/api/v1/customers/")

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "User inactive or deleted."
