"""The rep's workspace pages (leads.views) through Django's test client: who may open them, what they list, and
the buttons' effects. The browser tests (tests/browser/) walk the same pages in Chromium."""
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core.models import JobRun
from leads.models import Lead, LeadActivity
from leads.services import lead_release
from tests.api.factories import role_user
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # the claimable-leads candidates are cached
    yield
    cache.clear()


@pytest.fixture
def rep(client):
    user = role_user("sales_rep", username="rep1")
    client.force_login(user)
    return user


def _lead(owner, score: float, tier: str, **fields) -> Lead:
    return LeadFactory(owner=owner, score=score, tier=tier, scored_at=timezone.now(),
                       factors={"up": [f"reason for {score:g}"], "down": []}, **fields)


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get("/queue/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/queue/"


@pytest.mark.parametrize("role", ["marketer", "analyst", None])
def test_queue_is_refused_to_roles_that_work_no_leads(client, role):
    client.force_login(role_user(role))

    assert client.get("/queue/").status_code == 403


def test_queue_lists_my_open_leads_best_first_then_claimable_ones_never_another_reps(client, rep):
    other = role_user("sales_rep", username="rep2")
    cold, hot, warm = _lead(rep, 30.0, "cold"), _lead(rep, 90.0, "hot"), _lead(rep, 55.0, "warm")
    _lead(rep, 99.0, "hot", stage=Lead.Stage.WON)
    free_low, free_high = _lead(None, 20.0, "cold"), _lead(None, 80.0, "hot")
    _lead(other, 95.0, "hot")

    response = client.get("/queue/")

    assert [row["id"] for row in response.context["mine"]] == [hot.pk, warm.pk, cold.pk]
    assert [row["id"] for row in response.context["claimable"]] == [free_high.pk, free_low.pk]
    assert response.context["mine"][0]["reasons"] == ["reason for 90"]


def test_tier_filter_narrows_both_lists(client, rep):
    hot, _ = _lead(rep, 90.0, "hot"), _lead(rep, 55.0, "warm")
    free_hot, _ = _lead(None, 80.0, "hot"), _lead(None, 20.0, "cold")

    response = client.get("/queue/?tier=hot")

    assert [row["id"] for row in response.context["mine"]] == [hot.pk]
    assert [row["id"] for row in response.context["claimable"]] == [free_hot.pk]


def test_queue_reads_in_a_fixed_number_of_queries_however_many_leads(client, rep, django_assert_max_num_queries):
    for score in range(40):
        _lead(rep if score % 2 else None, float(score), "cold")
    client.get("/queue/")  # fills the claimable candidates

    # session, user, roles, the queue, scores changed?, leads released since, claimable, two for the admin header
    with django_assert_max_num_queries(9):
        response = client.get("/queue/")

    assert len(response.context["mine"]) == 20 and len(response.context["claimable"]) == 20


def test_lead_claimed_since_the_candidates_were_cached_leaves_the_claimable_list(client, rep):
    taken, free = _lead(None, 80.0, "hot"), _lead(None, 60.0, "warm")
    client.get("/queue/")
    Lead.objects.filter(pk=taken.pk).update(owner=role_user("sales_rep", username="rep2"))

    response = client.get("/queue/")

    assert [row["id"] for row in response.context["claimable"]] == [free.pk]


def test_lead_released_since_the_candidates_were_cached_joins_the_claimable_list(client, rep):
    held, free = _lead(role_user("sales_rep", username="rep2"), 90.0, "hot"), _lead(None, 60.0, "warm")
    client.get("/queue/")
    lead_release(lead_id=held.pk, user=held.owner)

    response = client.get("/queue/")

    assert [row["id"] for row in response.context["claimable"]] == [held.pk, free.pk]


def test_a_rescore_finished_since_the_candidates_were_cached_refreshes_them(client, rep):
    first = _lead(None, 60.0, "warm")
    client.get("/queue/")
    risen = _lead(None, 10.0, "cold")
    Lead.objects.filter(pk=risen.pk).update(score=95.0, tier="hot")  # as a re-score would
    JobRun.objects.create(kind=JobRun.Kind.RESCORE_LEADS, status=JobRun.Status.SUCCEEDED, finished_at=timezone.now())

    response = client.get("/queue/")

    assert [row["id"] for row in response.context["claimable"]] == [risen.pk, first.pk]


def test_another_reps_lead_answers_404_on_its_page_and_every_button(client, rep):
    lead = _lead(role_user("sales_rep", username="rep2"), 95.0, "hot")

    responses = [client.get(f"/queue/leads/{lead.pk}/")] + [
        client.post(f"/queue/leads/{lead.pk}/{action}/", {"stage": "won"})
        for action in ("claim", "release", "outcome")]

    assert [response.status_code for response in responses] == [404, 404, 404, 404]
    assert Lead.objects.get(pk=lead.pk).stage == Lead.Stage.NEW


def test_lead_page_shows_score_reasons_fields_attributes_and_history(client, rep):
    lead = _lead(rep, 72.5, "hot", attributes={"course_interest": "data science"})
    LeadActivity.objects.create(lead=lead, kind=LeadActivity.Kind.OUTCOME, stage="contacted", user=rep, note="called")

    page = client.get(f"/queue/leads/{lead.pk}/").content.decode()

    assert "72.5" in page and "raises: reason for 72.5" in page
    assert "Score trend: 1 score, latest 72" in page
    assert "course_interest" in page and "data science" in page
    assert "called" in page and 'id="log-outcome"' in page and 'id="release"' in page and 'id="claim"' not in page


def test_claim_puts_the_lead_in_my_queue(client, rep):
    lead = _lead(None, 80.0, "hot")

    response = client.post(f"/queue/leads/{lead.pk}/claim/")

    assert response["Location"] == reverse("leads:lead", args=[lead.pk])
    assert Lead.objects.get(pk=lead.pk).owner_id == rep.pk


def test_claiming_a_lead_another_rep_took_meanwhile_answers_404(client, rep):
    lead = _lead(None, 80.0, "hot")
    client.get(f"/queue/leads/{lead.pk}/")
    Lead.objects.filter(pk=lead.pk).update(owner=role_user("sales_rep", username="rep2"))

    response = client.post(f"/queue/leads/{lead.pk}/claim/", follow=True)

    assert response.status_code == 404


def test_won_opens_the_next_lead_of_my_queue(client, rep):
    worked, next_up = _lead(rep, 90.0, "hot"), _lead(rep, 60.0, "warm")

    response = client.post(f"/queue/leads/{worked.pk}/outcome/", {"stage": "won", "note": "signed"})

    assert response["Location"] == reverse("leads:lead", args=[next_up.pk])
    worked.refresh_from_db()
    assert (worked.stage, worked.status) == ("won", True)
    assert LeadActivity.objects.get(lead=worked).note == "signed"


def test_lost_on_the_last_lead_goes_back_to_the_queue(client, rep):
    lead = _lead(rep, 90.0, "hot")

    response = client.post(f"/queue/leads/{lead.pk}/outcome/", {"stage": "lost"})

    assert response["Location"] == reverse("leads:queue")
    assert Lead.objects.get(pk=lead.pk).status is False


def test_contacted_stays_on_the_lead(client, rep):
    lead = _lead(rep, 90.0, "hot")

    response = client.post(f"/queue/leads/{lead.pk}/outcome/", {"stage": "contacted"})

    assert response["Location"] == reverse("leads:lead", args=[lead.pk])
    assert Lead.objects.get(pk=lead.pk).stage == "contacted"


def test_unknown_outcome_is_refused_and_nothing_is_logged(client, rep):
    lead = _lead(rep, 90.0, "hot")

    client.post(f"/queue/leads/{lead.pk}/outcome/", {"stage": "new"})

    assert Lead.objects.get(pk=lead.pk).stage == "new" and not LeadActivity.objects.exists()


def test_release_gives_the_lead_back(client, rep):
    lead = _lead(rep, 90.0, "hot")

    response = client.post(f"/queue/leads/{lead.pk}/release/")

    assert response["Location"] == reverse("leads:queue")
    assert Lead.objects.get(pk=lead.pk).owner_id is None


def test_buttons_only_answer_post(client, rep):
    lead = _lead(rep, 90.0, "hot")

    assert client.get(f"/queue/leads/{lead.pk}/claim/").status_code == 405
