"""Issue 17: the admin pages and the API docs log no console error and ask no host but our own (they work
offline); each page is screenshotted."""
import pytest

from tests.browser.conftest import log_in, screenshot, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGES = {
    "admin-index": ("/admin/", "#content-main"),
    "admin-lead-list": ("/admin/leads/lead/", "#result_list, #changelist"),
    "admin-job-list": ("/admin/core/jobrun/", "#changelist"),
    "swagger": ("/api/docs/", ".swagger-ui .info"),
    "redoc": ("/api/redoc/", "redoc, [role=navigation], .api-content"),
}


@pytest.mark.parametrize("name", PAGES)
def test_page_logs_no_console_error_and_asks_no_outside_host(browser_page, name):
    staff_user("admin", "boss")
    page = browser_page
    log_in(page, "boss")
    path, ready = PAGES[name]

    response = page.goto(path, wait_until="networkidle")
    page.wait_for_selector(ready)
    page.wait_for_load_state("networkidle")

    assert response.status == 200
    assert page.recorder.outside_requests() == []
    assert page.recorder.errors == []
    screenshot(page, f"clean-{name}", full_page=not path.startswith("/api/"))  # the docs pages run very long
