"""The API docs pages (Swagger UI, ReDoc) work offline: their scripts are our own static files (sidecar).

ReDoc's page still links Google Fonts; offline the browser falls back to its own fonts, nothing breaks."""
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"""<script\b[^>]*\bsrc=["']([^"']+)["']""", re.IGNORECASE)


def scripts(html: str) -> list[str]:
    return SCRIPT.findall(html)


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_page_loads_no_script_from_another_site(client, url):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert scripts(html), "the page loads its viewer from a script"
    assert [src for src in scripts(html) if src.startswith(("http://", "https://", "//"))] == []


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_every_script_a_docs_page_loads_is_a_static_file_we_serve(client, url):
    html = client.get(url).content.decode()

    static = [src.split("?")[0] for src in scripts(html) if src.startswith(settings.STATIC_URL)
              or src.startswith("/" + settings.STATIC_URL)]
    missing = [src for src in static if finders.find(src.split(settings.STATIC_URL, 1)[1]) is None]

    assert static
    assert missing == []
