"""Leads: cross-rep isolation, the rep's queue (order, cursor, query count), actions, scores, models."""
import datetime

import pytest
from django.utils import timezone

from leads.models import Lead, LeadActivity, ScoringModel
from tests.api.factories import LeadScoreFactory
from tests.api.world import PROFILE
from tests.factories import LeadFactory, ScoringModelFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def rep_a(as_role):
    return as_role("sales_rep")


@pytest.fixture
def rep_b(as_role):
    return as_role("sales_rep")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def queue_lead(owner, tier: str, score: float | None, activity_hours_ago: float | None = None, **fields) -> Lead:
    activity = NOW - datetime.timedelta(hours=activity_hours_ago) if activity_hours_ago is not None else None
    return LeadFactory(owner=owner, tier=tier, score=score, last_activity_at=activity, **fields)


# --- isolation ------------------------------------------------------------------------------------------------


def test_rep_lists_own_and_unowned_leads_but_not_another_reps(rep_a, rep_b):
    mine = LeadFactory(owner=rep_a.user)
    free = LeadFactory(owner=None)
    LeadFactory(owner=rep_b.user)

    assert ids(rep_a.get("/api/v1/leads/")) == [mine.pk, free.pk]


def test_rep_gets_404_for_another_reps_lead(rep_a, rep_b):
    theirs = LeadFactory(owner=rep_b.user)

    response = rep_a.get(f"/api/v1/leads/{theirs.pk}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method, action, payload, status", [
    ("post", "claim/", None, 404), ("post", "release/", None, 404), ("post", "outcome/", {"stage": "won"}, 404),
    ("get", "scores/", None, 404),
    # editing is for admins: refused on the role before any lead is looked up
    ("patch", "", {"website_visits": 1}, 403), ("put", "", {"external_id": "X", **PROFILE}, 403),
])
def test_rep_gets_404_or_403_acting_on_another_reps_lead(rep_a, rep_b, method, action, payload, status):
    theirs = LeadFactory(owner=rep_b.user, website_visits=3)

    response = getattr(rep_a, method)(f"/api/v1/leads/{theirs.pk}/{action}", payload, format="json")

    assert response.status_code == status
    theirs.refresh_from_db()
    assert (theirs.owner, theirs.stage, theirs.website_visits) == (rep_b.user, "new", 3)


@pytest.mark.parametrize("held", [True, False])
def test_rep_may_not_edit_the_imported_fields_of_a_lead(rep_a, held):
    lead = LeadFactory(owner=rep_a.user if held else None, website_visits=3)

    response = rep_a.patch(f"/api/v1/leads/{lead.pk}/", {"website_visits": 40}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Your role does not allow this."
    lead.refresh_from_db()
    assert lead.website_visits == 3


@pytest.fixture
def admin_api(as_role):
    return as_role("admin")


def test_admin_edits_the_profile_but_not_the_stage(admin_api):
    mine = LeadFactory()

    response = admin_api.patch(f"/api/v1/leads/{mine.pk}/", {"website_visits": 12, "stage": "won"}, format="json")

    assert response.status_code == 200
    mine.refresh_from_db()
    assert (mine.website_visits, mine.stage) == (12, "new")


def test_external_id_stays_as_imported_when_a_lead_is_edited(admin_api):
    mine = LeadFactory(external_id="EXT1")

    response = admin_api.put(f"/api/v1/leads/{mine.pk}/", {"external_id": "CHANGED", **PROFILE}, format="json")

    assert (response.status_code, response.json()["external_id"]) == (200, "EXT1")
    mine.refresh_from_db()
    assert (mine.external_id, mine.age) == ("EXT1", PROFILE["age"])


def test_lead_age_is_held_to_the_import_files_bounds(admin_api):
    mine = LeadFactory()

    response = admin_api.patch(f"/api/v1/leads/{mine.pk}/", {"age": 7}, format="json")

    assert response.json()["error"]["fields"] == {"age": ["Ensure this value is greater than or equal to 10."]}


# --- actions --------------------------------------------------------------------------------------------------


def test_claim_puts_the_lead_in_the_reps_queue(rep_a):
    free = LeadFactory(owner=None)

    response = rep_a.post(f"/api/v1/leads/{free.pk}/claim/")

    assert response.status_code == 200
    assert (response.json()["owner"], response.json()["owner_username"]) == (rep_a.user.pk, rep_a.user.username)
    assert ids(rep_a.get("/api/v1/leads/queue/")) == [free.pk]


def test_claimed_lead_disappears_for_the_other_rep(rep_a, rep_b):
    free = LeadFactory(owner=None)
    rep_a.post(f"/api/v1/leads/{free.pk}/claim/")

    assert rep_b.post(f"/api/v1/leads/{free.pk}/claim/").status_code == 404
    assert ids(rep_b.get("/api/v1/leads/")) == []


def test_release_gives_the_lead_back_to_the_pool(rep_a):
    mine = LeadFactory(owner=rep_a.user)

    response = rep_a.post(f"/api/v1/leads/{mine.pk}/release/")

    assert (response.status_code, response.json()["owner"]) == (200, None)
    assert LeadActivity.objects.filter(lead=mine, kind="released").count() == 1


@pytest.mark.parametrize("stage, status", [("won", True), ("lost", False), ("contacted", None)])
def test_outcome_sets_stage_and_conversion(rep_a, stage, status):
    mine = LeadFactory(owner=rep_a.user)

    response = rep_a.post(f"/api/v1/leads/{mine.pk}/outcome/", {"stage": stage, "note": "called"}, format="json")

    assert response.status_code == 200
    mine.refresh_from_db()
    assert (mine.stage, mine.status) == (stage, status)


def test_outcome_must_be_a_stage_a_rep_can_log(rep_a):
    mine = LeadFactory(owner=rep_a.user)

    response = rep_a.post(f"/api/v1/leads/{mine.pk}/outcome/", {"stage": "new"}, format="json")

    assert response.json()["error"]["fields"] == {"stage": ['"new" is not a valid choice.']}


def test_admin_creates_an_open_unowned_lead(as_role):
    response = as_role("admin").post("/api/v1/leads/", {"external_id": "EXT9", **PROFILE}, format="json")

    assert response.status_code == 201
    lead = Lead.objects.get(external_id="EXT9")
    assert (lead.owner, lead.stage, lead.status, lead.age) == (None, "new", None, 41)


def test_duplicate_external_id_is_refused(as_role):
    LeadFactory(external_id="EXT9")

    response = as_role("admin").post("/api/v1/leads/", {"external_id": "EXT9", **PROFILE}, format="json")

    assert response.json()["error"]["fields"] == {"external_id": ["lead with this external id already exists."]}


def test_admin_assigns_a_lead_to_a_rep(as_role, rep_a):
    free = LeadFactory(owner=None)

    response = as_role("admin").post(f"/api/v1/leads/{free.pk}/assign/", {"rep": rep_a.user.pk}, format="json")

    assert (response.status_code, response.json()["owner"]) == (200, rep_a.user.pk)


def test_assigning_to_someone_who_is_not_a_rep_is_400(as_role):
    admin = as_role("admin")
    free = LeadFactory(owner=None)

    response = admin.post(f"/api/v1/leads/{free.pk}/assign/", {"rep": admin.user.pk}, format="json")

    assert response.json()["error"]["fields"] == {"rep": [f'Invalid pk "{admin.user.pk}" - object does not exist.']}


def test_analyst_filters_leads_by_tier_and_owner(as_role, rep_a):
    wanted = LeadFactory(owner=rep_a.user, tier="hot")
    LeadFactory(owner=rep_a.user, tier="cold")
    LeadFactory(owner=None, tier="hot")

    assert ids(as_role("analyst").get(f"/api/v1/leads/?tier=hot&owner={rep_a.user.pk}")) == [wanted.pk]


# --- queue ----------------------------------------------------------------------------------------------------


def test_queue_is_hot_first_then_score_then_freshest_activity(rep_a):
    cold = queue_lead(rep_a.user, "cold", 90.0)
    warm = queue_lead(rep_a.user, "warm", 60.0)
    hot_low = queue_lead(rep_a.user, "hot", 71.0)
    hot_stale = queue_lead(rep_a.user, "hot", 80.0, activity_hours_ago=48)
    hot_fresh = queue_lead(rep_a.user, "hot", 80.0, activity_hours_ago=1)
    hot_quiet = queue_lead(rep_a.user, "hot", 80.0)

    assert ids(rep_a.get("/api/v1/leads/queue/")) == [hot_fresh.pk, hot_stale.pk, hot_quiet.pk, hot_low.pk, warm.pk,
                                                     cold.pk]


def test_queue_leaves_out_closed_unowned_and_other_reps_leads(rep_a, rep_b):
    mine = queue_lead(rep_a.user, "hot", 90.0)
    queue_lead(rep_a.user, "hot", 95.0, stage=Lead.Stage.WON, status=True)
    queue_lead(None, "hot", 99.0)
    queue_lead(rep_b.user, "hot", 99.0)

    assert ids(rep_a.get("/api/v1/leads/queue/")) == [mine.pk]


def test_queue_pages_follow_the_cursor_without_gaps_or_repeats(rep_a):
    leads = [queue_lead(rep_a.user, tier, score, hours) for tier, score, hours in [
        ("hot", 90.0, 1), ("hot", 90.0, 1), ("hot", 90.0, None), ("warm", 50.0, 3), ("warm", None, None),
        ("cold", 10.0, 2), ("", None, None)]]
    whole = ids(rep_a.get("/api/v1/leads/queue/?page_size=50"))

    paged, url = [], "/api/v1/leads/queue/?page_size=3"
    while url:
        body = rep_a.get(url).json()
        paged += [row["id"] for row in body["results"]]
        url = body["next"]

    assert paged == whole
    assert sorted(paged) == sorted(lead.pk for lead in leads)


def test_queue_rows_carry_the_fields_a_rep_works_from(rep_a):
    lead = queue_lead(rep_a.user, "hot", 88.5, 2)

    row = rep_a.get("/api/v1/leads/queue/").json()["results"][0]

    assert row == {
        "id": lead.pk, "external_id": lead.external_id, "age": 35, "current_occupation": "Professional",
        "first_interaction": "Website", "profile_completed": "High", "website_visits": 3,
        "time_spent_on_website": 600, "page_views_per_visit": 2.5, "last_activity": "Email Activity",
        "stage": "new", "score": 88.5, "tier": "hot",
        "last_activity_at": lead.last_activity_at.isoformat().replace("+00:00", "Z"),
    }


def test_queue_with_a_forged_cursor_is_404(rep_a):
    assert rep_a.get("/api/v1/leads/queue/?cursor=bm90LWEta2V5").status_code == 404


@pytest.mark.parametrize("page_size", [10, 50])
def test_queue_takes_two_queries_whatever_the_page_size(rep_a, django_assert_num_queries, page_size):
    for index in range(60):
        queue_lead(rep_a.user, ("hot", "warm", "cold")[index % 3], float(index), index)

    # token with user and roles, one page of leads
    with django_assert_num_queries(2):
        response = rep_a.get(f"/api/v1/leads/queue/?page_size={page_size}")

    assert len(response.json()["results"]) == page_size


# --- scores and models ----------------------------------------------------------------------------------------


def test_scores_show_current_factors_and_history_newest_first(rep_a):
    model = ScoringModelFactory(is_champion=True)
    lead = LeadFactory(owner=rep_a.user, score=82.0, tier="hot", factors={"up": ["Long visits"], "down": []})
    LeadScoreFactory(lead=lead, scoring_model=model, score=40.0, tier="warm", scored_at=NOW - datetime.timedelta(2))
    LeadScoreFactory(lead=lead, scoring_model=model, score=82.0, tier="hot", scored_at=NOW)

    body = rep_a.get(f"/api/v1/leads/{lead.pk}/scores/").json()

    assert (body["score"], body["tier"], body["factors"], body["count"]) == (
        82.0, "hot", {"up": ["Long visits"], "down": []}, 2)
    assert [(row["score"], row["model_version"]) for row in body["results"]] == [(82.0, model.version),
                                                                                (40.0, model.version)]


def test_promote_makes_the_model_champion(as_role):
    ScoringModelFactory(is_champion=True)
    challenger = ScoringModelFactory()

    response = as_role("analyst").post(f"/api/v1/models/{challenger.pk}/promote/")

    assert (response.status_code, response.json()["is_champion"]) == (200, True)
    assert ScoringModel.objects.get(is_champion=True) == challenger


def test_champion_is_404_before_the_first_model(as_role):
    assert as_role("analyst").get("/api/v1/models/champion/").status_code == 404


def test_a_lead_outside_the_explained_few_is_explained_when_opened(as_role, monkeypatch,
                                                                    generated_leads_with_champion):
    from leads.services import leads_rescore

    monkeypatch.setattr("leads.services.EXPLAINED_PER_RUN", 0)
    leads_rescore()
    lead = Lead.objects.exclude(stage__in=["won", "lost"]).filter(owner__isnull=True).first()
    assert lead.factors == {} and lead.scoring_model_id is not None
    admin = as_role("admin")

    detail = admin.get(f"/api/v1/leads/{lead.pk}/").json()
    scores = admin.get(f"/api/v1/leads/{lead.pk}/scores/").json()

    assert detail["factors"]["up"] or detail["factors"]["down"]
    assert scores["factors"] == detail["factors"]
    lead.refresh_from_db()
    assert lead.factors == {}, "reading a lead writes nothing"


def test_a_lead_whose_model_file_is_missing_shows_no_factors_rather_than_failing(as_role):
    lead = LeadFactory(score=50.0, tier="warm", scoring_model=ScoringModelFactory(is_champion=True), factors={})

    response = as_role("admin").get(f"/api/v1/leads/{lead.pk}/")

    assert response.status_code == 200 and response.json()["factors"] == {}
