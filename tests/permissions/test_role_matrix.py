"""The role matrix: who may see and do what, through both doors (the admin and the API).

Roles: anonymous, marketer, sales_rep, analyst, admin. Leads are seen from the rep's side: "own" (the rep holds it),
"claimable" (nobody holds it) and "other" (another rep holds it). The expectations are written out here, not read
from core/roles.py, so a change to the table that opens or closes a door fails a test.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.roles import role_may
from leads.models import Lead, LeadActivity, LeadScore, SalesRep, ScoringModel
from tests.api.factories import LeadScoreFactory, role_user, token_for
from tests.api.world import PROFILE
from tests.factories import LeadFactory, SalesRepFactory, ScoringModelFactory

pytestmark = pytest.mark.django_db

ANON, M, R, AN, AD = "anonymous", "marketer", "sales_rep", "analyst", "admin"
ROLES = (ANON, M, R, AN, AD)
SIGNED_IN = (M, R, AN, AD)
LEAD_KINDS = ("own", "claimable", "other")
NOBODY: frozenset[str] = frozenset()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    users: dict = field(default_factory=dict)
    leads: dict = field(default_factory=dict)
    activities: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)


@pytest.fixture
def world() -> World:
    """A staff user per role plus a second rep; three leads as the rep sees them, each with a score and an
    activity; three scoring models (an earlier one, the champion, a challenger); the rep's capacity row."""
    w = World()
    for role in SIGNED_IN:
        w.users[role] = role_user(role, username=f"{role}-user", is_staff=True)
    w.other_rep = role_user(R, username="other-rep", is_staff=True)
    w.previous = ScoringModelFactory()
    w.champion = ScoringModelFactory(is_champion=True)
    w.challenger = ScoringModelFactory()
    owners = {"own": w.users[R], "claimable": None, "other": w.other_rep}
    for kind, owner in owners.items():
        lead = LeadFactory(owner=owner, stage=Lead.Stage.NEW)
        w.leads[kind] = lead
        w.scores[kind] = LeadScoreFactory(lead=lead, scoring_model=w.champion)
        w.activities[kind] = LeadActivity.objects.create(lead=lead, kind=LeadActivity.Kind.ASSIGNED, user=owner)
    w.sales_rep = SalesRepFactory(user=w.users[R])
    return w


def admin_as(world: World, role: str) -> Client:
    client = Client()
    if role != ANON:
        client.force_login(world.users[role])
    return client


def api_as(world: World, role: str) -> APIClient:
    client = APIClient()
    if role != ANON:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.users[role])}")
    return client


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and reverse("admin:login") in response["Location"]


# --- the admin: pages of each model -------------------------------------------------------------------------------

# model -> who may list/view, add, change, delete it in the admin
ADMIN_PAGES = {
    "lead": {"view": {M, R, AN, AD}, "add": {AD}, "change": {AD}, "delete": {AD}},
    "leadactivity": {"view": {R, AN, AD}, "add": NOBODY, "change": NOBODY, "delete": {AD}},
    "leadscore": {"view": {M, R, AN, AD}, "add": NOBODY, "change": NOBODY, "delete": {AD}},
    "scoringmodel": {"view": {M, AN, AD}, "add": NOBODY, "change": NOBODY, "delete": NOBODY},
    "salesrep": {"view": {AN, AD}, "add": {AD}, "change": {AD}, "delete": {AD}},
}
ROW_LIMITED = {"lead", "leadactivity", "leadscore"}  # a rep reaches only rows of own and claimable leads


def object_of(world: World, model: str, kind: str):
    return {"lead": world.leads, "leadactivity": world.activities, "leadscore": world.scores}.get(model, {}).get(
        kind) or {"scoringmodel": world.champion, "salesrep": world.sales_rep}[model]


def object_cases():
    for model in ADMIN_PAGES:
        for kind in (LEAD_KINDS if model in ROW_LIMITED else ("any",)):
            yield model, kind


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", sorted(ADMIN_PAGES))
def test_admin_list_and_add_pages(world, model, role):
    client = admin_as(world, role)

    listing = client.get(reverse(f"admin:leads_{model}_changelist"))
    adding = client.get(reverse(f"admin:leads_{model}_add"))

    if role == ANON:
        assert is_login_redirect(listing) and is_login_redirect(adding)
        return
    assert listing.status_code == (200 if role in ADMIN_PAGES[model]["view"] else 403)
    assert adding.status_code == (200 if role in ADMIN_PAGES[model]["add"] else 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model, kind", list(object_cases()))
def test_admin_object_pages(world, model, kind, role):
    """View, history, change (GET and POST) and delete (GET and POST) of one object: allowed, 403 without the
    role's right, 404 for a row the role does not reach (another rep's lead and what hangs off it)."""
    obj = object_of(world, model, kind)
    client = admin_as(world, role)
    urls = {page: reverse(f"admin:leads_{model}_{page}", args=[obj.pk]) for page in ("change", "history", "delete")}

    view = client.get(urls["change"])
    history = client.get(urls["history"])
    delete_page = client.get(urls["delete"])
    change_post = client.post(urls["change"], {})
    delete_post = client.post(urls["delete"], {"post": "yes"}) if role != AD else None

    rights = ADMIN_PAGES[model]
    if role == ANON:
        assert all(is_login_redirect(response) for response in (view, history, delete_page, change_post))
    elif role == R and model in ROW_LIMITED and kind == "other":
        assert [view.status_code, history.status_code, delete_page.status_code, change_post.status_code,
                delete_post.status_code] == [404] * 5
    else:
        allowed = role in rights["view"]
        assert (view.status_code, history.status_code) == ((200, 200) if allowed else (403, 403))
        if allowed:
            assert view.context["has_change_permission"] is (role in rights["change"])
        assert delete_page.status_code == (200 if role in rights["delete"] else 403)
        # a refused change is a 403 before any form is read; an allowed one re-shows the form with its errors
        assert change_post.status_code == (200 if role in rights["change"] else 403)
        if delete_post is not None:
            assert delete_post.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


REACHED = {M: LEAD_KINDS, R: ("own", "claimable"), AN: LEAD_KINDS, AD: LEAD_KINDS}


@pytest.mark.parametrize("model, role", [(model, role) for model in sorted(ROW_LIMITED) for role in SIGNED_IN
                                         if role in ADMIN_PAGES[model]["view"]])
def test_admin_lists_hold_the_rows_the_role_reaches(world, model, role):
    kinds = REACHED[role]
    response = admin_as(world, role).get(reverse(f"admin:leads_{model}_changelist"))

    assert {row.pk for row in response.context["cl"].result_list} == {
        object_of(world, model, kind).pk for kind in kinds}


# --- the admin: actions and buttons -------------------------------------------------------------------------------

LEAD_ACTIONS = {
    M: set(),
    R: {"claim_selected", "release_selected", "log_outcome"},
    AN: {"rescore_open_leads"},
    AD: {"claim_selected", "release_selected", "log_outcome", "assign_to_rep", "assign_round_robin",
         "rescore_open_leads", "delete_selected"},
}
MODEL_ACTIONS = {M: set(), AN: {"promote_selected", "roll_back"}, AD: {"promote_selected", "roll_back"}}


def offered_actions(response) -> set[str]:
    form = response.context["action_form"]
    return {name for name, _ in form.fields["action"].choices if name} if form else set()


@pytest.mark.parametrize("role", SIGNED_IN)
def test_admin_offers_each_role_its_lead_actions(world, role):
    response = admin_as(world, role).get(reverse("admin:leads_lead_changelist"))

    assert offered_actions(response) == LEAD_ACTIONS[role]


@pytest.mark.parametrize("role", [M, AN, AD])
def test_admin_offers_each_role_its_model_actions(world, role):
    response = admin_as(world, role).get(reverse("admin:leads_scoringmodel_changelist"))

    assert offered_actions(response) == MODEL_ACTIONS[role]


def action_post(client, world: World, action: str, kind: str, **extra):
    return client.post(reverse("admin:leads_lead_changelist"),
                       {"action": action, ACTION_CHECKBOX_NAME: [world.leads[kind].pk], **extra})


@pytest.mark.parametrize("role", [M, AN])
@pytest.mark.parametrize("action", ["claim_selected", "release_selected", "log_outcome", "assign_to_rep"])
def test_admin_refuses_an_action_the_role_lacks(world, role, action):
    action_post(admin_as(world, role), world, action, "own", apply="1", stage="won")

    lead = Lead.objects.get(pk=world.leads["own"].pk)
    assert (lead.owner, lead.stage) == (world.users[R], Lead.Stage.NEW)


# action -> lead kind -> (owner kind after, stage after, activity kind recorded as the rep, or None)
REP_ACTIONS = {
    "claim_selected": {"own": ("own", "new", "claimed"), "claimable": ("own", "new", "claimed"),
                       "other": ("other", "new", None)},
    "release_selected": {"own": ("claimable", "new", "released"), "claimable": ("claimable", "new", None),
                         "other": ("other", "new", None)},
    "log_outcome": {"own": ("own", "contacted", "outcome"), "claimable": ("claimable", "new", None),
                    "other": ("other", "new", None)},
}


@pytest.mark.parametrize("kind", LEAD_KINDS)
@pytest.mark.parametrize("action", sorted(REP_ACTIONS))
def test_rep_admin_actions_reach_own_and_claimable_leads_only(world, action, kind):
    """Another rep's lead is left out of every action; a claimable lead is claimed before anything else; what the
    rep did is recorded as the rep."""
    rep = world.users[R]
    before = LeadActivity.objects.count()

    action_post(admin_as(world, R), world, action, kind, apply="1", stage="contacted", note="called")

    owner_kind, stage, activity = REP_ACTIONS[action][kind]
    lead = Lead.objects.get(pk=world.leads[kind].pk)
    owners = {"own": rep, "claimable": None, "other": world.other_rep}
    assert (lead.owner, lead.stage) == (owners[owner_kind], stage)
    recorded = list(LeadActivity.objects.order_by("id")[before:].values_list("kind", "user", "lead"))
    assert recorded == ([(activity, rep.pk, lead.pk)] if activity else [])


def test_rep_outcome_action_asks_for_the_stage_first(world):
    response = action_post(admin_as(world, R), world, "log_outcome", "own")

    assert response.status_code == 200
    assert 'name="stage"' in response.content.decode()
    assert Lead.objects.get(pk=world.leads["own"].pk).stage == Lead.Stage.NEW


# admin URL name -> who may open it (a confirmation page on GET)
ADMIN_BUTTONS = {
    "leads_lead_rescore": {AN, AD},
    "leads_lead_round_robin": {AD},
    "leads_scoringmodel_train": {AN, AD},
    "leads_scoringmodel_rollback": {AN, AD},
    "leads_scoringmodel_promote": {AN, AD},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ADMIN_BUTTONS))
def test_admin_buttons(world, name, role):
    args = [world.challenger.pk] if name.endswith("promote") else []

    response = admin_as(world, role).get(reverse(f"admin:{name}", args=args))

    if role == ANON:
        assert is_login_redirect(response)
    else:
        assert response.status_code == (200 if role in ADMIN_BUTTONS[name] else 403)


@pytest.mark.parametrize("role", SIGNED_IN)
def test_every_admin_list_follows_the_role_table(world, role):
    """Beyond leads: every model in the admin lists for exactly the roles the table lets view or change it."""
    client = admin_as(world, role)
    wrong = {}
    for model in admin.site._registry:
        label = model._meta.label_lower
        expected = 200 if role_may(role, label, "view") or role_may(role, label, "change") else 403
        status = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")).status_code
        if status != expected:
            wrong[label] = (status, expected)

    assert wrong == {}


# --- the API --------------------------------------------------------------------------------------------------------

def lead_url(world: World, kind: str, action: str = "") -> str:
    return f"/api/v1/leads/{world.leads[kind].pk}/{action}"


# case -> (method, url, payload, {role: status}); per lead kind for the lead cases
def lead_cases():
    yield "retrieve", "get", "", None, {
        "own": {M: 200, R: 200, AN: 200, AD: 200}, "claimable": {M: 200, R: 200, AN: 200, AD: 200},
        "other": {M: 200, R: 404, AN: 200, AD: 200}}
    yield "scores", "get", "scores/", None, {
        "own": {M: 200, R: 200, AN: 200, AD: 200}, "claimable": {M: 200, R: 200, AN: 200, AD: 200},
        "other": {M: 200, R: 404, AN: 200, AD: 200}}
    edit = {M: 403, R: 403, AN: 403, AD: 200}
    yield "patch", "patch", "", {"website_visits": 9}, {"own": edit, "claimable": edit, "other": edit}
    yield "put", "put", "", "profile", {"own": edit, "claimable": edit, "other": edit}
    no_delete = {M: 403, R: 403, AN: 403, AD: 405}
    yield "delete", "delete", "", None, {"own": no_delete, "claimable": no_delete, "other": no_delete}
    yield "claim", "post", "claim/", None, {
        "own": {M: 403, R: 200, AN: 403, AD: 409}, "claimable": {M: 403, R: 200, AN: 403, AD: 200},
        "other": {M: 403, R: 404, AN: 403, AD: 409}}
    yield "release", "post", "release/", None, {
        "own": {M: 403, R: 200, AN: 403, AD: 200}, "claimable": {M: 403, R: 409, AN: 403, AD: 409},
        "other": {M: 403, R: 404, AN: 403, AD: 200}}
    yield "outcome", "post", "outcome/", {"stage": "contacted", "note": "called"}, {
        "own": {M: 403, R: 200, AN: 403, AD: 200}, "claimable": {M: 403, R: 409, AN: 403, AD: 200},
        "other": {M: 403, R: 404, AN: 403, AD: 200}}
    yield "assign", "post", "assign/", "rep", {
        kind: {M: 403, R: 403, AN: 403, AD: 200} for kind in LEAD_KINDS}


def lead_api_cases():
    for name, method, action, payload, statuses in lead_cases():
        for kind in LEAD_KINDS:
            for role in ROLES:
                yield pytest.param(method, action, payload, kind, role, 401 if role == ANON else statuses[kind][role],
                                   id=f"{name}-{kind}-{role}")


def payload_for(world: World, kind: str, payload):
    if payload == "profile":
        return {"external_id": world.leads[kind].external_id, **PROFILE}
    if payload == "rep":
        return {"rep": world.users[R].pk}
    return payload


@pytest.mark.parametrize("method, action, payload, kind, role, status", list(lead_api_cases()))
def test_api_lead_endpoints(world, method, action, payload, kind, role, status):
    response = getattr(api_as(world, role), method)(lead_url(world, kind, action), payload_for(world, kind, payload),
                                                    format="json")

    assert response.status_code == status, response.content


API_LISTS = {
    "leads": ("get", "/api/v1/leads/", None, {M: 200, R: 200, AN: 200, AD: 200}),
    "create-lead": ("post", "/api/v1/leads/", {"external_id": "NEW-1", **PROFILE}, {M: 403, R: 403, AN: 403, AD: 201}),
    "queue": ("get", "/api/v1/leads/queue/", None, {M: 403, R: 200, AN: 403, AD: 200}),
    "round-robin": ("post", "/api/v1/leads/assign-round-robin/", None, {M: 403, R: 403, AN: 403, AD: 200}),
    "models": ("get", "/api/v1/models/", None, {M: 200, R: 403, AN: 200, AD: 200}),
    "model": ("get", "model", None, {M: 200, R: 403, AN: 200, AD: 200}),
    "champion": ("get", "/api/v1/models/champion/", None, {M: 200, R: 403, AN: 200, AD: 200}),
    "promote": ("post", "promote", None, {M: 403, R: 403, AN: 200, AD: 200}),
    "rollback": ("post", "/api/v1/models/rollback/", None, {M: 403, R: 403, AN: 200, AD: 200}),
    "model-edit": ("patch", "model", {"is_champion": True}, {M: 405, R: 403, AN: 405, AD: 405}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(API_LISTS))
def test_api_lists_and_model_endpoints(world, name, role):
    method, url, payload, statuses = API_LISTS[name]
    url = {"model": f"/api/v1/models/{world.champion.pk}/",
           "promote": f"/api/v1/models/{world.challenger.pk}/promote/"}.get(url, url)

    response = getattr(api_as(world, role), method)(url, payload, format="json")

    assert response.status_code == (401 if role == ANON else statuses[role]), response.content


@pytest.mark.parametrize("role", SIGNED_IN)
def test_api_lead_list_holds_the_leads_the_role_reaches(world, role):
    response = api_as(world, role).get("/api/v1/leads/")

    assert {row["id"] for row in response.json()["results"]} == {world.leads[kind].pk for kind in REACHED[role]}


# --- one table, two doors -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", SIGNED_IN)
def test_admin_and_api_show_a_role_the_same_leads(world, role):
    admin_rows = admin_as(world, role).get(reverse("admin:leads_lead_changelist")).context["cl"].result_list
    api_rows = api_as(world, role).get("/api/v1/leads/").json()["results"]

    assert {lead.pk for lead in admin_rows} == {row["id"] for row in api_rows}


def test_a_rep_cannot_raise_a_leads_score_through_either_door(world):
    """The fields the score is computed from come from imports: a rep edits none of them, in the admin or the
    API, on a lead they hold."""
    lead = world.leads["own"]

    admin_post = admin_as(world, R).post(reverse("admin:leads_lead_change", args=[lead.pk]),
                                         {"age": 60, "time_spent_on_website": 5000})
    api_patch = api_as(world, R).patch(lead_url(world, "own"), {"age": 60, "time_spent_on_website": 5000},
                                       format="json")

    assert (admin_post.status_code, api_patch.status_code) == (403, 403)
    lead.refresh_from_db()
    assert (lead.age, lead.time_spent_on_website) == (35, 600)


def test_world_has_every_kind_of_row(world):
    """Guards the matrix: each page above is tested against a row that exists."""
    assert (Lead.objects.count(), LeadScore.objects.count(), LeadActivity.objects.count(),
            ScoringModel.objects.count(), SalesRep.objects.count()) == (3, 3, 3, 3, 1)
