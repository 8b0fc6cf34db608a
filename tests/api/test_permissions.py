"""The permission matrix: every role × every endpoint × every method → the expected status.

For each path, `methods` lists the supported methods with the roles allowed and the success status; a
method the path does not support answers 405 to a role that passes the path's read/write gate and 403 to
one that does not. Anonymous callers always get 401. Superusers hold every role.
"""
from __future__ import annotations

import io

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import client_for
from tests.api.world import PROFILE, ROLES, build_world
from tests.shared_data import CUSTOMERS_FILE, LEADS_FILE, shared_data_path

pytestmark = pytest.mark.django_db

M, R, AN, AD, SU = "marketer", "sales_rep", "analyst", "admin", "superuser"
READERS = {M, AN, AD, SU}
CAMPAIGN_WRITERS = {M, AD, SU}
LEAD_READERS = {M, R, AN, AD, SU}
LEAD_WORKERS = {R, AD, SU}
ADMINS = {AD, SU}
MANAGERS = {AN, AD, SU}
MODEL_READERS = {M, AN, AD, SU}
METHODS = ("get", "post", "put", "patch", "delete")


def first_lines(parts: tuple[str, ...], count: int) -> bytes:
    with open(shared_data_path(*parts), "rb") as handle:
        return b"".join(handle.readline() for _ in range(count))


def upload(dataset: str, parts: tuple[str, ...]):
    def payload(w, role):
        data = io.BytesIO(first_lines(parts, 3))
        data.name = f"{dataset}.csv"
        return {"dataset": dataset, "file": data, "strict": "false"}

    return payload


def campaign_input(w, role):
    return {"name": f"Campaign by {role}", "control_share": 0.2}


def offer_input(w, role):
    return {"campaign": w.campaign.pk, "name": f"Offer by {role}", "offer_type": "discount", "value": "10.00",
            "target_personas": ["deal_oriented"], "eligibility": {"max_recency_days": 30}}


def lead_input(w, role):
    return {"external_id": f"NEW-{role}", **PROFILE}


# path → (gate for unsupported reads, gate for unsupported writes, {method: (allowed roles, success, payload)})
MATRIX = {
    "customers": (lambda w, r: "/api/v1/customers/", READERS, READERS, {"get": (READERS, 200, None)}),
    "customer": (lambda w, r: f"/api/v1/customers/{w.customer.pk}/", READERS, READERS, {"get": (READERS, 200, None)}),
    "customer-segments": (lambda w, r: f"/api/v1/customers/{w.customer.pk}/segments/", READERS, READERS,
                          {"get": (READERS, 200, None)}),
    "customer-offers": (lambda w, r: f"/api/v1/customers/{w.customer.pk}/offers/", READERS, READERS,
                        {"get": (READERS, 200, None)}),
    "runs": (lambda w, r: "/api/v1/segmentation-runs/", READERS, READERS, {"get": (READERS, 200, None)}),
    "run": (lambda w, r: f"/api/v1/segmentation-runs/{w.run.pk}/", READERS, READERS, {"get": (READERS, 200, None)}),
    "run-current": (lambda w, r: "/api/v1/segmentation-runs/current/", READERS, READERS,
                    {"get": (READERS, 200, None)}),
    "segments": (lambda w, r: "/api/v1/segments/", READERS, READERS, {"get": (READERS, 200, None)}),
    "segment": (lambda w, r: f"/api/v1/segments/{w.segment.pk}/", READERS, READERS, {"get": (READERS, 200, None)}),
    "campaigns": (lambda w, r: "/api/v1/campaigns/", READERS, CAMPAIGN_WRITERS,
                  {"get": (READERS, 200, None), "post": (CAMPAIGN_WRITERS, 201, campaign_input)}),
    "campaign": (lambda w, r: f"/api/v1/campaigns/{w.campaign.pk}/", READERS, CAMPAIGN_WRITERS, {
        "get": (READERS, 200, None), "put": (CAMPAIGN_WRITERS, 200, campaign_input),
        "patch": (CAMPAIGN_WRITERS, 200, lambda w, r: {"status": "active"}), "delete": (CAMPAIGN_WRITERS, 204, None)}),
    "campaign-report": (lambda w, r: f"/api/v1/campaigns/{w.campaign.pk}/report/", READERS, CAMPAIGN_WRITERS,
                        {"get": (READERS, 200, None)}),
    "campaign-audience": (lambda w, r: f"/api/v1/campaigns/{w.campaign.pk}/audience.csv", READERS, READERS,
                          {"get": (READERS, 200, None)}),
    "offers": (lambda w, r: "/api/v1/offers/", READERS, CAMPAIGN_WRITERS,
               {"get": (READERS, 200, None), "post": (CAMPAIGN_WRITERS, 201, offer_input)}),
    "offer": (lambda w, r: f"/api/v1/offers/{w.offer.pk}/", READERS, CAMPAIGN_WRITERS, {
        "get": (READERS, 200, None), "put": (CAMPAIGN_WRITERS, 200, offer_input),
        "patch": (CAMPAIGN_WRITERS, 200, lambda w, r: {"priority": 5}), "delete": (CAMPAIGN_WRITERS, 204, None)}),
    "assignments": (lambda w, r: "/api/v1/assignments/", READERS, READERS, {"get": (READERS, 200, None)}),
    "assignment": (lambda w, r: f"/api/v1/assignments/{w.assignment.pk}/", READERS, READERS,
                   {"get": (READERS, 200, None)}),
    "responses": (lambda w, r: "/api/v1/responses/", CAMPAIGN_WRITERS, CAMPAIGN_WRITERS, {
        "post": (CAMPAIGN_WRITERS, 201, lambda w, r: {"assignment": w.assignment.pk, "status": "accepted"})}),
    "leads": (lambda w, r: "/api/v1/leads/", LEAD_READERS, ADMINS,
              {"get": (LEAD_READERS, 200, None), "post": (ADMINS, 201, lead_input)}),
    "lead": (lambda w, r: f"/api/v1/leads/{w.own_lead(r).pk}/", LEAD_READERS, ADMINS, {
        "get": (LEAD_READERS, 200, None),
        "put": (ADMINS, 200, lambda w, r: {"external_id": w.own_lead(r).external_id, **PROFILE}),
        "patch": (ADMINS, 200, lambda w, r: {"website_visits": 9})}),
    "lead-queue": (lambda w, r: "/api/v1/leads/queue/", LEAD_WORKERS, ADMINS,
                   {"get": (LEAD_WORKERS, 200, None)}),
    "lead-claim": (lambda w, r: f"/api/v1/leads/{w.free_lead.pk}/claim/", LEAD_READERS, ADMINS,
                   {"post": (LEAD_WORKERS, 200, None)}),
    "lead-release": (lambda w, r: f"/api/v1/leads/{w.own_lead(r).pk}/release/", LEAD_READERS, ADMINS,
                     {"post": (LEAD_WORKERS, 200, None)}),
    "lead-outcome": (lambda w, r: f"/api/v1/leads/{w.own_lead(r).pk}/outcome/", LEAD_READERS, ADMINS,
                     {"post": (LEAD_WORKERS, 200, lambda w, r: {"stage": "contacted", "note": "called"})}),
    "lead-scores": (lambda w, r: f"/api/v1/leads/{w.own_lead(r).pk}/scores/", LEAD_READERS, ADMINS,
                    {"get": (LEAD_READERS, 200, None)}),
    "lead-assign": (lambda w, r: f"/api/v1/leads/{w.free_lead.pk}/assign/", LEAD_READERS, ADMINS,
                    {"post": (ADMINS, 200, lambda w, r: {"rep": w.user(R).pk})}),
    "lead-round-robin": (lambda w, r: "/api/v1/leads/assign-round-robin/", LEAD_READERS, ADMINS,
                         {"post": (ADMINS, 200, None)}),
    "models": (lambda w, r: "/api/v1/models/", MODEL_READERS, MODEL_READERS, {"get": (MODEL_READERS, 200, None)}),
    "model": (lambda w, r: f"/api/v1/models/{w.champion.pk}/", MODEL_READERS, MODEL_READERS,
              {"get": (MODEL_READERS, 200, None)}),
    "model-champion": (lambda w, r: "/api/v1/models/champion/", MODEL_READERS, MODEL_READERS,
                       {"get": (MODEL_READERS, 200, None)}),
    "model-promote": (lambda w, r: f"/api/v1/models/{w.challenger.pk}/promote/", MODEL_READERS, MODEL_READERS,
                      {"post": (MANAGERS, 200, None)}),
    "model-rollback": (lambda w, r: "/api/v1/models/rollback/", MODEL_READERS, MODEL_READERS,
                       {"post": (MANAGERS, 200, None)}),
    "jobs": (lambda w, r: "/api/v1/jobs/", READERS, READERS,
             {"get": (READERS, 200, None), "post": (READERS, 202, lambda w, r: {"kind": "recluster"})}),
    "job": (lambda w, r: f"/api/v1/jobs/{w.job.pk}/", READERS, READERS, {"get": (READERS, 200, None)}),
    "imports": (lambda w, r: "/api/v1/imports/", READERS, READERS,
                {"get": (READERS, 200, None), "post": (READERS, 201, upload("customers", CUSTOMERS_FILE))}),
    "import": (lambda w, r: f"/api/v1/imports/{w.import_run.pk}/", READERS, READERS, {"get": (READERS, 200, None)}),
}
# Per-kind rules on top of the path's roles: marketers start segment/campaign jobs and import customer data only.
EXTRA = {
    "train-job": ("jobs", "post", MANAGERS, 202, lambda w, r: {"kind": "train_leads"}),
    "lead-import": ("imports", "post", MANAGERS, 201, upload("leads", LEADS_FILE)),
}


def expected_status(role: str, method: str, read_gate, write_gate, methods) -> int:
    if role == "anon":
        return 401
    if method in methods:
        allowed, success, _ = methods[method]
        return success if role in allowed else 403
    gate = read_gate if method == "get" else write_gate
    return 405 if role in gate else 403


def call(world, role: str, method: str, path: str, payload):
    client = APIClient() if role == "anon" else client_for(world.user(role))
    data = payload(world, role) if payload else None
    if isinstance(data, dict) and any(hasattr(value, "read") for value in data.values()):
        return getattr(client, method)(path, data, format="multipart")
    return getattr(client, method)(path, data, format="json")


def statuses(path_of, method: str, payload) -> dict[str, int]:
    """Call as each role; a successful write gets a fresh world for the next role, so each sees the same state."""
    serial = 0
    world = build_world(serial)
    seen = {}
    for role in ROLES:
        response = call(world, role, method, path_of(world, role), payload)
        seen[role] = response.status_code
        if method != "get" and response.status_code < 300:
            serial += 1
            world = build_world(serial)
    return seen


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_gets_expected_status(name, method):
    path_of, read_gate, write_gate, methods = MATRIX[name]
    payload = methods.get(method, (None, None, None))[2]
    expected = {role: expected_status(role, method, read_gate, write_gate, methods) for role in ROLES}

    assert statuses(path_of, method, payload) == expected


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_job_kind_and_dataset_roles(name):
    path_name, method, allowed, success, payload = EXTRA[name]
    path_of = MATRIX[path_name][0]
    expected = {role: 401 if role == "anon" else (success if role in allowed else 403) for role in ROLES}

    assert statuses(path_of, method, payload) == expected
