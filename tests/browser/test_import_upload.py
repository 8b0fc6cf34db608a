"""An upload with a bad row, through the admin's import form: the rejection names the row, the column and why."""
import pytest

from operations.synthetic import generate_customers
from segmentation.models import Customer
from tests.browser.conftest import log_in, screenshot, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _customers_file_with_a_bad_year() -> bytes:
    """Three customers; the second (file line 3, after the header) was born in "nineteen-sixty"."""
    frame = generate_customers(3, 5).astype({"Year_Birth": object})
    frame.loc[1, "Year_Birth"] = "nineteen-sixty"
    return frame.to_csv(sep="\t", index=False).encode()


def test_upload_with_a_bad_row_shows_its_row_column_and_reason(browser_page):
    staff_user("marketer", "marketer")
    page = browser_page
    log_in(page, "marketer", next_path="/admin/core/importrun/upload/")

    page.select_option("select[name=dataset]", "customers")
    page.set_input_files("input[name=file]", files=[{"name": "customers.csv", "mimeType": "text/csv",
                                                       "buffer": _customers_file_with_a_bad_year()}])
    screenshot(page, "import-upload-form")
    page.click("input[type=submit]")

    screenshot(page, "import-mapping")
    page.click("input[name=validate]")
    _assert_rejected_row_shown(page)
    screenshot(page, "import-validated")
    assert Customer.objects.count() == 0, "validating writes nothing"

    page.click("input[name=import]")
    _assert_rejected_row_shown(page)
    screenshot(page, "import-rejected-row")
    assert Customer.objects.count() == 2
    assert page.recorder.errors == []


def _assert_rejected_row_shown(page) -> None:
    """The rejected row's cells: the file's line (the header is line 1), the column, the value and the reason."""
    rejected = page.locator("tr:has(td:text-is('nineteen-sixty')):has(td:text-is('Year_Birth'))").first
    rejected.wait_for()
    cells = [cell.strip() for cell in rejected.locator("td").all_inner_texts()]
    assert cells[:3] == ["3", "Year_Birth", "nineteen-sixty"], cells
    assert "whole number" in cells[3], cells
