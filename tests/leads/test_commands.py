"""The lead commands: train, re-score, export and assign, as an operator runs them."""
import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from leads.management.commands.assign_leads import Command as AssignLeads
from leads.models import Lead, LeadActivity, ScoringModel
from tests.factories import LeadFactory, SalesRepFactory, ScoringModelFactory, UserFactory, import_generated_leads

pytestmark = pytest.mark.django_db
EXPORT_HEADER = ["external_id", "score", "tier", "model_version", "scored_at", "factors_up", "factors_down"]


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def generated_leads(settings, tmp_path):
    settings.LEAD_MODEL_ALGORITHMS = ("logistic_regression", "hist_gradient_boosting")
    import_generated_leads(tmp_path / "data")


def test_train_prints_each_candidates_metrics_and_the_decision(generated_leads):
    output = _run("train_lead_model")

    model = ScoringModel.objects.get()
    lines = output.splitlines()
    assert lines[0].split() == ["candidate", "CV", "ROC", "AUC", "held-out", "AUC", "PR", "AUC", "Brier", "log", "loss"]
    for name, candidate in model.metrics["candidates"].items():
        row = next(line for line in lines if line.startswith(name))
        assert row.split()[1:] == [f"{candidate['cv_roc_auc_mean']:.4f}", f"{candidate['holdout']['roc_auc']:.4f}",
                                   f"{candidate['holdout']['pr_auc']:.4f}", f"{candidate['holdout']['brier']:.4f}",
                                   f"{candidate['holdout']['log_loss']:.4f}"]
    assert f"model v1 ({model.algorithm}); champion: True" in output
    assert model.decision in output


def test_train_with_too_few_outcomes_fails_with_the_reason(db):
    LeadFactory.create_batch(3, status=True)

    with pytest.raises(CommandError, match="known outcome"):
        call_command("train_lead_model")


def test_rescore_prints_the_count_per_tier(generated_leads):
    _run("train_lead_model")

    output = _run("rescore_leads")

    open_leads = Lead.objects.exclude(stage__in=["won", "lost"])
    tiers = {tier: open_leads.filter(tier=tier).count() for tier in ("hot", "warm", "cold")}
    assert output.strip() == (f"scored {open_leads.count()} open leads with model v1: "
                              f"hot {tiers['hot']}, warm {tiers['warm']}, cold {tiers['cold']}; "
                              f"{open_leads.count()} changed")

    again = _run("rescore_leads")

    assert again.strip().startswith(f"scored 0 of {open_leads.count()} open leads with model v1"), \
        "the next re-score reads only leads that could score differently"
    assert _run("rescore_leads", "--full").strip().startswith(f"scored {open_leads.count()} open leads")


def test_rescore_without_a_champion_fails(db):
    LeadFactory()

    with pytest.raises(CommandError, match="no champion model"):
        call_command("rescore_leads")


def test_export_writes_scores_and_factors_and_defuses_formulas(tmp_path):
    model = ScoringModelFactory(version=3)
    LeadFactory(external_id="=HYPERLINK(\"http://x\")", score=81.5, tier="hot", scoring_model=model,
                factors={"up": ["first interaction on the website: +14", "@evil"], "down": ["aged 21: -3"]})
    LeadFactory(external_id="L-open")
    out = tmp_path / "leads.csv"

    output = _run("export_leads", "--out", str(out))

    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert output.strip() == f"wrote 2 leads to {out}"
    assert rows[0] == EXPORT_HEADER
    assert rows[1][:4] == ["'=HYPERLINK(\"http://x\")", "81.5", "hot", "3"]
    assert rows[1][5:] == ["first interaction on the website: +14; @evil", "aged 21: -3"]
    assert rows[2] == ["L-open", "", "", "", "", "", ""]


def test_assign_leads_deals_by_room_and_prints_each_reps_count():
    SalesRepFactory(user=UserFactory(username="ann"), capacity=4)
    SalesRepFactory(user=UserFactory(username="bob"), capacity=2)
    LeadFactory.create_batch(9)

    output = _run("assign_leads")

    assert [line.split() for line in output.splitlines()] == [["ann", "4"], ["bob", "2"], ["assigned", "6", "leads"]]
    assert Lead.objects.filter(owner__isnull=True).count() == 3


def test_assign_leads_by_hand_gives_the_named_leads_to_the_rep():
    rep = SalesRepFactory(user=UserFactory(username="ann")).user
    first, second, other = LeadFactory(external_id="A1"), LeadFactory(external_id="A2"), LeadFactory()

    output = _run("assign_leads", "--rep", "ann", "--leads", "A1", "A2")

    assert output.strip() == "assigned 2 leads to ann"
    assert set(Lead.objects.filter(owner=rep)) == {first, second}
    assert Lead.objects.get(pk=other.pk).owner is None
    assert LeadActivity.objects.filter(kind=LeadActivity.Kind.ASSIGNED, note="to ann").count() == 2


def test_assign_leads_to_an_unknown_rep_fails_and_assigns_nothing():
    LeadFactory(external_id="A1")

    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("assign_leads", "--rep", "nobody", "--leads", "A1")
    assert not Lead.objects.filter(owner__isnull=False).exists()


def test_assign_leads_to_a_user_who_is_not_a_rep_fails():
    UserFactory(username="carol")
    LeadFactory(external_id="A1")

    with pytest.raises(CommandError, match="'carol' is not an active sales rep"):
        call_command("assign_leads", "--rep", "carol", "--leads", "A1")


def test_assign_leads_with_an_unknown_lead_names_it_and_assigns_nothing():
    SalesRepFactory(user=UserFactory(username="ann"))
    LeadFactory(external_id="A1")

    with pytest.raises(CommandError, match="no lead with external id NOPE"):
        call_command("assign_leads", "--rep", "ann", "--leads", "A1", "NOPE")
    assert not Lead.objects.filter(owner__isnull=False).exists()


def test_assign_leads_needs_rep_and_leads_together():
    with pytest.raises(CommandError, match="--rep and --leads go together"):
        call_command("assign_leads", "--rep", "ann")


def test_assign_leads_without_reps_fails():
    LeadFactory()

    with pytest.raises(CommandError, match="no active sales reps"):
        call_command("assign_leads")


def test_assign_leads_error_exits_non_zero(capsys):
    with pytest.raises(SystemExit) as exit_:
        AssignLeads().run_from_argv(["manage.py", "assign_leads", "--rep", "nobody", "--leads", "A1"])

    assert exit_.value.code == 1
    assert "no user named 'nobody'" in capsys.readouterr().err
