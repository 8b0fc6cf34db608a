"""The role table is filled by the apps (issue #18): each registers the grants on its models from its AppConfig.ready,
and core names none of their models.

Given the apps are loaded, the table grants exactly what the roles held before the move, for one model of each app,
and the groups' Django permissions synced after migrate follow it; core/roles.py and core/api/permissions.py name no
app label or model of segmentation, leads or campaigns.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from core import roles
from core.roles import ACTIONS, ADMIN, ANALYST, DJANGO_ACTIONS, MARKETER, ROLES, SALES_REP, role_may, roles_allowed

ROOT = Path(__file__).resolve().parents[2]
CORE_MODULES = ("core/roles.py", "core/api/permissions.py")
APP_LABELS = ("segmentation", "leads", "campaigns")

# model -> role -> the actions it may take; one model of each app (core's own, and the beat schedules operations owns)
EXPECTED = {
    "segmentation.segmentationrun": {MARKETER: {"view"}, SALES_REP: set(), ANALYST: {"view", "change"}},
    "leads.lead": {MARKETER: {"view"}, SALES_REP: {"view", "work"}, ANALYST: {"view"}},
    "leads.scoringmodel": {MARKETER: {"view"}, SALES_REP: set(), ANALYST: {"view", "manage"}},
    "campaigns.offerassignment": {MARKETER: {"view", "change"}, SALES_REP: set(), ANALYST: {"view"}},
    "core.importmapping": {MARKETER: {"view", "change", "delete"}, SALES_REP: set(),
                           ANALYST: {"view", "change", "delete"}},
    "django_celery_beat.periodictask": {MARKETER: set(), SALES_REP: set(), ANALYST: set(DJANGO_ACTIONS)},
}


@pytest.mark.parametrize("model", EXPECTED)
def test_registered_grants_are_exactly_the_roles_grants(model):
    granted = {role: {action for action in ACTIONS if role_may(role, model, action)} for role in ROLES}

    assert granted == {**EXPECTED[model], ADMIN: set(ACTIONS)}


def test_only_a_sales_rep_is_narrowed_to_own_or_claimable_leads():
    scoped = {(role, model): rule for role, rules in roles.ROW_RULES.items() for model, rule in rules.items()}

    assert scoped == {(SALES_REP, "leads.lead"): roles.OWN_OR_CLAIMABLE,
                      (SALES_REP, "leads.leadactivity"): roles.OWN_OR_CLAIMABLE,
                      (SALES_REP, "leads.leadscore"): roles.OWN_OR_CLAIMABLE}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [MARKETER, SALES_REP, ANALYST])
def test_groups_hold_the_django_permissions_of_the_registered_grants(role):
    wanted = {f"{model.split('.')[0]}.{action}_{model.split('.')[1]}"
              for model, by_role in EXPECTED.items() for action in by_role[role] if action in DJANGO_ACTIONS}
    held = {f"{app_label}.{codename}" for app_label, codename in Group.objects.get(name=role).permissions.filter(
        content_type__app_label__in={model.split(".")[0] for model in EXPECTED},
        content_type__model__in={model.split(".")[1] for model in EXPECTED},
    ).values_list("content_type__app_label", "codename")}

    assert held == wanted


@pytest.fixture
def empty_table(monkeypatch):
    """The table as it is before any app's ready(); restored after the test."""
    monkeypatch.setattr(roles, "ROLE_PERMISSIONS", {})
    monkeypatch.setattr(roles, "ROW_RULES", {})


def test_a_role_set_named_before_the_grants_reads_them_once_registered(empty_table):
    writers = roles_allowed("shop.order", "change")
    assert set(writers) == {ADMIN}

    roles.register_grants("shop", {MARKETER: {"order": ("view", "change")}})

    assert MARKETER in writers and ANALYST not in writers
    assert writers == {MARKETER, ADMIN}
    assert {MARKETER, SALES_REP} & writers == {MARKETER}


def test_registering_an_app_twice_replaces_its_grants(empty_table):
    roles.register_grants("shop", {MARKETER: {"order": ("view", "change")}, ANALYST: {"order": ("view",)}})
    roles.register_grants("shop", {MARKETER: {"order": ("view",)}})

    assert not role_may(MARKETER, "shop.order", "change")
    assert not role_may(ANALYST, "shop.order", "view")


@pytest.mark.parametrize("grants", [{MARKETER: {"order": ("view", "approve")}}, {ADMIN: {"order": ("view",)}},
                                    {"intern": {"order": ("view",)}}])
def test_a_grant_of_an_unknown_action_or_role_is_refused(empty_table, grants):
    with pytest.raises(ValueError):
        roles.register_grants("shop", grants)
    assert roles.ROLE_PERMISSIONS == {}


def _app_names() -> set[str]:
    names = set(APP_LABELS)
    for label in APP_LABELS:
        names |= {model._meta.model_name for model in apps.get_app_config(label).get_models()}
    return names


def _names_in_strings(source: str, names: set[str]) -> set[tuple[int, str]]:
    """(line, literal) of every string literal of the module naming an app label or model ("leads", "leads.lead",
    "lead")."""
    return {(node.lineno, node.value) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and (node.value in names or node.value.split(".")[0] in APP_LABELS)}


def test_the_check_sees_a_model_named_in_a_string():
    source = 'GRANTS = {"campaigns": {"offer": ("view",)}}\nMODEL = "leads.scoringmodel"\nRULE = "own"\n'

    assert _names_in_strings(source, _app_names()) == {(1, "campaigns"), (1, "offer"), (2, "leads.scoringmodel")}


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_names_no_model_of_the_apps(module):
    assert _names_in_strings((ROOT / module).read_text(encoding="utf-8"), _app_names()) == set()
