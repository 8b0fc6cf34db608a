"""A sales rep's day in the browser: the queue in score order, a lead's page with its reasons, claim, won, next."""
import datetime
import re

import pytest
from django.utils import timezone

from leads.models import Lead, LeadActivity
from tests.api.factories import LeadScoreFactory
from tests.browser.conftest import log_in, screenshot, staff_user
from tests.factories import LeadFactory, SalesRepFactory, ScoringModelFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _lead(owner, external_id: str, score: float, tier: str, reasons: list[str]) -> Lead:
    return LeadFactory(owner=owner, external_id=external_id, score=score, tier=tier, scored_at=timezone.now(),
                       factors={"up": reasons, "down": ["no referral"]})


@pytest.fixture
def desk():
    """rep1 holds three open leads, one lead is free to claim, rep2 holds one; a champion scored them all."""
    rep1, rep2 = staff_user("sales_rep", "rep1"), staff_user("sales_rep", "rep2")
    SalesRepFactory(user=rep1)
    SalesRepFactory(user=rep2)
    champion = ScoringModelFactory(is_champion=True)
    mine = [_lead(rep1, "L-HOT", 91.0, "hot", ["spent 30 minutes on the website"]),
            _lead(rep1, "L-WARM", 64.0, "warm", ["profile completed: high"]),
            _lead(rep1, "L-COLD", 35.0, "cold", ["first came through the website"])]
    free = _lead(None, "L-FREE", 88.0, "hot", ["works as a professional", "opened the last email"])
    for lead, earlier in ((free, 71.0), (mine[0], 80.0)):
        LeadScoreFactory(lead=lead, scoring_model=champion, score=earlier, tier="hot",
                         scored_at=timezone.now() - datetime.timedelta(days=2))
        LeadScoreFactory(lead=lead, scoring_model=champion, score=lead.score, tier="hot", scored_at=timezone.now())
    others = _lead(rep2, "L-REP2", 95.0, "hot", ["asked for a call"])
    return {"rep1": rep1, "mine": mine, "free": free, "others": others}


def _column(page, table: str, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(f"#{table} tbody tr {selector}").all_inner_texts()]


def test_rep_works_the_queue_claims_the_best_free_lead_logs_won_and_the_next_lead_opens(browser_page, desk):
    page = browser_page
    log_in(page, "rep1", next_path="/queue/")

    assert _column(page, "my-queue", ".lead-link") == ["L-HOT", "L-WARM", "L-COLD"]
    assert _column(page, "my-queue", ".score") == ["91.0", "64.0", "35.0"]
    assert _column(page, "claimable", ".lead-link") == ["L-FREE"]  # rep2's lead is not offered
    assert "spent 30 minutes on the website" in page.locator("#my-queue tbody tr").first.inner_text()
    screenshot(page, "rep-queue")

    # keyboard: the first lead has the focus; j moves down, k back up, Enter opens the focused lead
    assert page.evaluate("document.activeElement.textContent") == "L-HOT"
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.textContent") == "L-COLD"
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.textContent") == "L-WARM"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/queue/leads/{desk['mine'][1].pk}/$"))

    page.goto("/queue/")
    page.click("#claimable .lead-link >> text=L-FREE")
    page.wait_for_url(re.compile(rf"/queue/leads/{desk['free'].pk}/$"))
    reasons = page.locator("#reasons").inner_text()
    assert "raises: works as a professional" in reasons and "lowers: no referral" in reasons
    trend = page.locator("figure.chart svg")
    assert trend.locator("title").first.text_content() == "Score trend: 2 scores, latest 88"
    assert page.locator("#lead-owner").inner_text() == "nobody holds it"
    screenshot(page, "rep-lead-before-claim")

    page.click("#claim")
    page.wait_for_selector("text=L-FREE is in your queue.")
    assert page.locator("#lead-owner").inner_text() == "rep1"
    page.select_option("#id_stage", "won")
    page.fill("#id_note", "Signed up for the data course")
    page.click("#log-outcome")

    page.wait_for_url(re.compile(rf"/queue/leads/{desk['mine'][0].pk}/$"))  # the top of the queue opens next
    assert page.locator("h1").inner_text() == "Lead L-HOT"
    assert "Lead L-FREE: won logged." in page.locator(".messagelist").inner_text()
    screenshot(page, "rep-next-lead")
    won = Lead.objects.get(pk=desk["free"].pk)
    assert (won.owner_id, won.stage, won.status) == (desk["rep1"].pk, "won", True)
    assert list(LeadActivity.objects.filter(lead=won).values_list("kind", "stage", "note")) == [
        ("outcome", "won", "Signed up for the data course"), ("claimed", "", "")]
    assert page.recorder.errors == []


def test_another_reps_lead_answers_404_on_the_page_and_in_the_api(browser_page, desk):
    page = browser_page
    log_in(page, "rep1", next_path="/queue/")
    lead_id = desk["others"].pk

    page_response = page.goto(f"/queue/leads/{lead_id}/")
    api_response = page.request.get(f"/api/v1/leads/{lead_id}/")
    csrf = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    claim_response = page.request.post(f"/queue/leads/{lead_id}/claim/", headers={"X-CSRFToken": csrf})

    assert (page_response.status, api_response.status, claim_response.status) == (404, 404, 404)
    assert Lead.objects.get(pk=lead_id).owner_id != desk["rep1"].pk
    own = page.goto(f"/queue/leads/{desk['mine'][0].pk}/")
    assert own.status == 200
