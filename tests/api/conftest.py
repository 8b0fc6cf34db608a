import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.api.factories import role_user, token_for


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Every test user gets a password; the production hasher's 1M iterations would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def as_role(db):
    """as_role("marketer") → an APIClient authenticated by token as a new user in that role."""

    def make(role: str | None, **fields):
        user = role_user(role, **fields)
        client = client_for(user)
        client.user = user
        return client

    return make
