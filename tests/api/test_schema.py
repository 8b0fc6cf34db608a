"""The OpenAPI schema: generated without warnings, every operation described with an example."""
import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def has_example(body: dict) -> bool:
    return any("examples" in media or "example" in media for media in body.get("content", {}).values())


def bodies_without_example(operation) -> list[str]:
    """The request body and the success responses that have content but no example."""
    bodies = {"request": operation.get("requestBody", {})}
    bodies.update({code: body for code, body in operation["responses"].items() if code.startswith("2")})
    return [name for name, body in bodies.items() if body.get("content") and not has_example(body)]


def test_schema_generates_and_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_every_operation_has_a_description(schema):
    assert [name for name, operation in operations(schema) if not operation.get("description")] == []


def test_every_request_and_success_body_has_an_example(schema):
    missing = {name: bodies_without_example(operation) for name, operation in operations(schema)}

    assert {name: bodies for name, bodies in missing.items() if bodies} == {}


def test_every_operation_documents_the_error_shape(schema):
    missing = [name for name, operation in operations(schema)
               if operation["responses"].get("401", {}).get("content", {}).get("application/json", {})
               .get("schema") != {"$ref": "#/components/schemas/Error"}]

    assert missing == []


def test_every_operation_needs_a_token_except_the_token_endpoint(schema):
    open_operations = [name for name, operation in operations(schema) if {} in operation.get("security", [{}])]

    assert open_operations == ["POST /api/v1/auth/token/"]
