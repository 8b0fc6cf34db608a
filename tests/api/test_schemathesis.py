"""Property-based run of the whole API against its own OpenAPI schema, as each authenticated role.

For every operation, schemathesis generates a few requests from the schema (path ids pointing at real
objects of a small world, so handlers run past the lookup) and checks: no 5xx, the status code is
documented, the content type is documented, and the body matches the documented schema. Bounded to a few
derandomised examples per operation so the run stays well under a minute per role.

The edges run once more as admin with the ids generated too (ids no row has, ids no route takes, such as
``0.5``) and with deliberately invalid requests (schemathesis' negative mode: wrong types, missing fields):
every answer must still be a documented status in the JSON error envelope.
"""
from __future__ import annotations

import pytest
import schemathesis
from schemathesis import GenerationMode
from django.core import signals
from django.db import close_old_connections
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given
from hypothesis.errors import Unsatisfiable
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from tests.api.factories import token_for
from tests.api.world import build_world

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 6
EDGE_EXAMPLES_PER_OPERATION = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, minus the per-request connection closing that Django's own test client also
    switches off: the test's transaction lives on that connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def path_ids(world, role: str) -> dict[str, int]:
    """The object each path's {id} points at, so generated requests reach the handler rather than a 404."""
    return {
        "/api/v1/customers/": world.customer.pk, "/api/v1/segmentation-runs/": world.run.pk,
        "/api/v1/segments/": world.segment.pk, "/api/v1/campaigns/": world.campaign.pk,
        "/api/v1/offers/": world.offer.pk, "/api/v1/assignments/": world.assignment.pk,
        "/api/v1/leads/": world.own_lead(role).pk, "/api/v1/models/": world.challenger.pk,
        "/api/v1/jobs/": world.job.pk, "/api/v1/imports/": world.import_run.pk,
    }


def id_for(operation, ids: dict[str, int]) -> dict[str, int]:
    if "{id}" not in operation.path:
        return {}
    prefix = operation.path.split("{id}")[0]
    return {"id": ids[prefix]}


def describe(exc: BaseException) -> str:
    """The failure's title and the request that caused it, short enough to read a dozen of them."""
    if isinstance(exc, FailureGroup):
        return "; ".join(f"{failure.title}: {failure.message}"[:300] for failure in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"[:600]


def run_operation(operation, headers: dict, path_parameters: dict, *, examples: int = EXAMPLES_PER_OPERATION,
                  mode: GenerationMode = GenerationMode.POSITIVE) -> None:
    @hypothesis_settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None))
    def check(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    check()


def check_every_operation(wsgi_app, headers: dict, path_parameters_for, **run) -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            run_operation(operation, headers, path_parameters_for(operation), **run)
        except Unsatisfiable:  # negative mode: an operation without parameters or body has nothing to get wrong
            continue
        except (Exception, FailureGroup) as exc:  # collect every failing operation, not only the first
            failures.append(f"{operation.method.upper()} {operation.path}: {describe(exc)}")
    return failures


@pytest.mark.parametrize("role", ["marketer", "sales_rep", "analyst", "admin"])
def test_api_conforms_to_its_schema(role, wsgi_app):
    world = build_world()
    headers = {"Authorization": f"Token {token_for(world.user(role))}"}
    ids = path_ids(world, role)

    failures = check_every_operation(wsgi_app, headers, lambda operation: id_for(operation, ids))

    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_api_edges_answer_documented_json_errors(mode, wsgi_app):
    world = build_world()
    headers = {"Authorization": f"Token {token_for(world.user('admin'))}"}

    failures = check_every_operation(wsgi_app, headers, lambda operation: {},
                                     examples=EDGE_EXAMPLES_PER_OPERATION, mode=mode)

    assert not failures, "\n".join(failures)


def documented_statuses(schema: dict, method: str, path: str) -> set[str]:
    return set(schema["paths"][path][method]["responses"])


def test_answers_drf_gives_on_its_own_are_documented_json_errors(as_role):
    """An Accept the API cannot meet (406) and a body it cannot read (415) are listed for every operation
    concerned, and answered in the error envelope."""
    client = as_role("admin")
    schema = client.get("/api/schema/?format=json").json()
    reads = [(path, "get") for path, operations in schema["paths"].items() if "get" in operations]
    writes = [(path, method) for path, operations in schema["paths"].items() for method in operations
              if method in ("post", "put", "patch")]

    unacceptable = client.get("/api/v1/leads/", HTTP_ACCEPT="application/xml")
    unreadable = client.post("/api/v1/offers/", data="x", content_type="text/plain")

    assert [op for op in reads if "406" not in documented_statuses(schema, op[1], op[0])] == []
    assert [op for op in writes if "415" not in documented_statuses(schema, op[1], op[0])] == []
    assert (unacceptable.status_code, unacceptable.json()["error"]["code"]) == (406, "not_acceptable")
    assert (unreadable.status_code, unreadable.json()["error"]["code"]) == (415, "unsupported_media_type")
