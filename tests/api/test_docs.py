"""The API docs pages (Swagger UI, ReDoc) work offline: their scripts are our own static files (sidecar), and
nothing ReDoc's page or its bundle loads comes from another host (core.offline_assets); every page has a favicon."""
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
def test_every_script_a_docs_page_loads_is_one_we_serve(client, url):
    html = client.get(url).content.decode()

    sources = [src for src in scripts(html) if not src.startswith(("http://", "https://", "//"))]

    assert sources
    assert all(asset_bytes(client, src) for src in sources)


URL_ATTRIBUTE = re.compile(r"""\b(?:src|href)=["']([^"']+)["']""", re.IGNORECASE)
ABSOLUTE_URL = re.compile(r"""https?://([a-z0-9.-]+)""", re.IGNORECASE)
# hosts the ReDoc bundle names without fetching them: XML namespaces, JSON Schema ids, links in its messages
NAMED_NOT_FETCHED = {"www.w3.org", "json-schema.org", "github.com", "raw.githubusercontent.com", "redocly.com",
                     "stackoverflow.com", "reactjs.org", "marked.js.org", "git.io", "fb.me", "example.com", "api."}


def asset_bytes(client, url: str) -> bytes:
    if url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL):
        path = finders.find(url.split(settings.STATIC_URL, 1)[1].split("?")[0])
        assert path, f"{url} is not a static file we serve"
        with open(path, "rb") as file:
            return file.read()
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content


def test_redoc_page_and_everything_it_loads_ask_no_other_host(client):
    html = client.get("/api/redoc/").content.decode()
    references = URL_ATTRIBUTE.findall(html)
    assets = {url: asset_bytes(client, url) for url in references}

    assert [url for url in references if not url.startswith("/")] == []
    assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html
    bundle = assets["/api/redoc/redoc.standalone.js"].decode()
    assert "cdn.redoc.ly" not in bundle
    assert set(ABSOLUTE_URL.findall(bundle)) - NAMED_NOT_FETCHED == set()
    assert "system-ui" in html, "ReDoc is told to use the system fonts"


def test_redoc_bundle_is_the_sidecar_bundle_but_for_the_logo(client):
    sidecar = open(finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"), "rb").read()

    served = client.get("/api/redoc/redoc.standalone.js")

    assert served["Content-Type"] == "text/javascript; charset=utf-8"
    assert len(served.content) == len(sidecar) - len(b"https://cdn.redoc.ly/redoc/logo-mini.svg") + len(
        b"data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E")


def test_favicon_is_served_where_browsers_ask_for_it(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file


@pytest.mark.parametrize("url", ["/admin/login/", "/api/redoc/"])
def test_pages_link_the_favicon(client, url):
    html = client.get(url).content.decode()

    icons = re.findall(r"""<link rel="icon" href="([^"]+)">""", html)
    assert icons == [f"/{settings.STATIC_URL}favicon.ico"] or icons == [f"{settings.STATIC_URL}favicon.ico"]
    assert finders.find("favicon.ico")
