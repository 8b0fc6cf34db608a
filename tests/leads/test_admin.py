"""The lead-scoring admin: model quality on one page, promote / roll back / train buttons, leads with their
factors and trend, and dealing leads to reps."""
import datetime
import json

import pytest
from django.contrib.auth.models import Group
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from core.models import JobRun
from leads import ml
from leads.models import Lead, LeadActivity, LeadScore, ScoringModel
from operations.synthetic import generate_leads
from tests.factories import LeadFactory, SalesRepFactory, ScoringModelFactory, UserFactory, import_generated_leads

pytestmark = pytest.mark.django_db
PNG = 'src="data:image/png;base64,'
CHANGELIST = "admin:leads_scoringmodel_changelist"
ALGORITHMS = ("logistic_regression", "hist_gradient_boosting")


@pytest.fixture
def trained(settings, tmp_path, trained_models) -> ScoringModel:
    """A champion of 1,500 generated leads, trained with two candidates so the pages compare them (once per
    session; see TrainedModels)."""
    import_generated_leads(tmp_path / "data")
    return trained_models.champion("generated-1500-two", media_root=settings.MEDIA_ROOT, algorithms=ALGORITHMS)


@pytest.fixture(scope="module")
def quality() -> dict:
    """What training stores about a model (metrics, drivers, decision), trained once for the module, as JSON."""
    report = ml.train_lead_model(generate_leads(1500, 7, open_share=0.2), ml.TrainingConfig(algorithms=ALGORITHMS))
    return json.loads(json.dumps({"algorithm": report.champion, "metrics": report.metrics(),
                                  "drivers": report.drivers, "decision": report.decision}))


@pytest.fixture
def champion(quality) -> ScoringModel:
    return ScoringModelFactory(is_champion=True, **quality)


@pytest.fixture
def challenger(champion, quality) -> ScoringModel:
    return ScoringModelFactory(**{**quality, "decision": "stays challenger"})


def _staff_in(role: str):
    user = UserFactory(username=f"{role}-staff", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def _champion_version() -> int:
    return ScoringModel.objects.get(is_champion=True).version


# --- scoring models ---------------------------------------------------------------------------------------------------

def test_model_list_shows_version_quality_and_the_manage_buttons(admin_client, champion):
    response = admin_client.get(reverse(CHANGELIST))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"{champion.metrics['holdout_roc_auc']:.4f}" in page
    brier = champion.metrics["candidates"][champion.algorithm]["holdout"]["brier"]
    assert f"{brier:.4f}" in page
    assert reverse("admin:leads_scoringmodel_train") in page
    assert reverse("admin:leads_scoringmodel_rollback") in page


def test_model_page_shows_every_candidate_the_charts_drivers_and_decision(admin_client, trained):
    response = admin_client.get(reverse("admin:leads_scoringmodel_change", args=[trained.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count(PNG) == 3, "calibration curve, precision/recall per tier, permutation importance"
    for name, candidate in trained.metrics["candidates"].items():
        assert name in page
        assert f"{candidate['holdout']['pr_auc']:.4f}" in page
        assert f"{candidate['holdout']['log_loss']:.4f}" in page
    assert "of all converters (recall)" in page
    top_driver = trained.drivers["permutation_importance"][0]
    assert f"{top_driver['auc_drop']:.4f}" in page
    assert escape(trained.drivers["converter_profile"]["summary"][0]) in page
    assert escape(trained.decision.splitlines()[0]) in page


def test_promote_action_makes_the_selected_model_champion(admin_client, champion, challenger):
    response = admin_client.post(reverse(CHANGELIST), {"action": "promote_selected",
                                                        ACTION_CHECKBOX_NAME: [challenger.pk]}, follow=True)

    assert f"Model v{challenger.version} is now the champion (was v{champion.version})" in response.content.decode()
    assert _champion_version() == challenger.version
    assert "Promoted by hand by admin" in ScoringModel.objects.get(pk=challenger.pk).decision


def test_promote_button_on_the_model_page_asks_then_promotes(admin_client, champion, challenger):
    url = reverse("admin:leads_scoringmodel_promote", args=[challenger.pk])
    assert url in admin_client.get(reverse("admin:leads_scoringmodel_change", args=[challenger.pk])).content.decode()

    confirmation = admin_client.get(url)
    assert confirmation.status_code == 200 and _champion_version() == champion.version

    admin_client.post(url)
    assert _champion_version() == challenger.version


def test_roll_back_returns_to_the_previous_champion(admin_client, champion, challenger):
    admin_client.post(reverse("admin:leads_scoringmodel_promote", args=[challenger.pk]))

    response = admin_client.post(reverse("admin:leads_scoringmodel_rollback"), follow=True)

    assert f"Rolled back from v{challenger.version} to v{champion.version}" in response.content.decode()
    assert _champion_version() == champion.version


def test_roll_back_without_an_earlier_model_is_an_error_message_not_a_500(admin_client, champion):
    response = admin_client.post(reverse(CHANGELIST), {"action": "roll_back", ACTION_CHECKBOX_NAME: [champion.pk]},
                                 follow=True)

    assert response.status_code == 200
    assert "Roll back refused: there is no earlier model to roll back to" in response.content.decode()
    assert _champion_version() == champion.version


def test_train_button_queues_a_training_job(admin_client, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.LEAD_MODEL_ALGORITHMS = ("logistic_regression",)
    import_generated_leads(tmp_path / "data")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:leads_scoringmodel_train"), follow=True)

    job = JobRun.objects.filter(kind=JobRun.Kind.TRAIN_LEADS, trigger=JobRun.Trigger.ADMIN).get()
    assert job.status == JobRun.Status.SUCCEEDED
    assert ScoringModel.objects.get(job=job).is_champion
    assert f"Training job <a href=\"{reverse('admin:core_jobrun_change', args=[job.pk])}\">#{job.pk}</a>" in \
        response.content.decode()


def test_analyst_may_promote(client, champion, challenger):
    client.force_login(_staff_in("analyst"))

    client.post(reverse("admin:leads_scoringmodel_promote", args=[challenger.pk]))

    assert _champion_version() == challenger.version


def test_marketer_may_not_promote_or_roll_back(client, champion, challenger):
    client.force_login(_staff_in("marketer"))

    promote = client.post(reverse("admin:leads_scoringmodel_promote", args=[challenger.pk]))
    rollback = client.post(reverse("admin:leads_scoringmodel_rollback"))
    client.post(reverse(CHANGELIST), {"action": "promote_selected", ACTION_CHECKBOX_NAME: [challenger.pk]})

    assert (promote.status_code, rollback.status_code) == (403, 403)
    assert _champion_version() == champion.version


def test_a_viewer_without_manage_permission_is_offered_no_buttons(client, champion):
    client.force_login(_staff_in("marketer"))

    page = client.get(reverse(CHANGELIST)).content.decode()

    assert reverse("admin:leads_scoringmodel_train") not in page
    assert "promote_selected" not in page


# --- leads -----------------------------------------------------------------------------------------------------------

def test_lead_page_shows_factors_in_words_trend_and_history_newest_first(admin_client):
    lead = LeadFactory(score=72.0, tier="hot", factors={"up": ["first interaction on the website: +14"],
                                                        "down": ["last activity by email: -5"]})
    model = ScoringModelFactory()
    start = timezone.now() - datetime.timedelta(days=3)
    for day, score in enumerate([41.5, 58.5, 72.0]):
        LeadScore.objects.create(lead=lead, scoring_model=model, score=score, tier="warm",
                                 scored_at=start + datetime.timedelta(days=day))

    response = admin_client.get(reverse("admin:leads_lead_change", args=[lead.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "▲</span> first interaction on the website: +14" in page
    assert "▼</span> last activity by email: -5" in page
    assert "<svg" in page and "3 scores" in page
    assert page.index("72.0</td>") < page.index("58.5</td>") < page.index("41.5</td>")
    assert f"v{model.version}</td>" in page


def test_lead_list_renders_and_finds_a_lead_by_exact_external_id(admin_client):
    LeadFactory(external_id="EXT-7")
    LeadFactory(external_id="EXT-77")

    response = admin_client.get(reverse("admin:leads_lead_changelist"), {"q": "EXT-7"})

    page = response.content.decode()
    assert response.status_code == 200
    assert ">EXT-7<" in page and "EXT-77" not in page


def test_assign_action_asks_for_a_rep_then_assigns_the_selected_leads(admin_client):
    rep = SalesRepFactory(user=UserFactory(username="dana"), capacity=30).user
    chosen, left = LeadFactory.create_batch(2), LeadFactory()
    selection = {"action": "assign_to_rep", ACTION_CHECKBOX_NAME: [lead.pk for lead in chosen]}

    form = admin_client.post(reverse("admin:leads_lead_changelist"), selection)
    assert form.status_code == 200 and "dana (capacity 30)" in form.content.decode()

    admin_client.post(reverse("admin:leads_lead_changelist"), {**selection, "apply": "1", "rep": rep.pk})

    assert set(Lead.objects.filter(owner=rep)) == set(chosen)
    assert Lead.objects.get(pk=left.pk).owner is None
    assert LeadActivity.objects.filter(kind=LeadActivity.Kind.ASSIGNED, user__username="admin").count() == 2


def test_round_robin_button_deals_unowned_leads_by_room(admin_client):
    SalesRepFactory(user=UserFactory(username="ann"), capacity=4)
    SalesRepFactory(user=UserFactory(username="bob"), capacity=2)
    LeadFactory.create_batch(6)

    response = admin_client.post(reverse("admin:leads_lead_round_robin"), follow=True)

    assert "Assigned 6 leads: ann 4, bob 2." in response.content.decode()
    assert not Lead.objects.filter(owner__isnull=True).exists()


def test_sales_rep_may_not_deal_leads(client):
    SalesRepFactory(capacity=5)
    LeadFactory.create_batch(2)
    client.force_login(_staff_in("sales_rep"))

    client.post(reverse("admin:leads_lead_round_robin"))

    assert not Lead.objects.filter(owner__isnull=False).exists()


def test_rescore_button_queues_a_rescore_that_scores_open_leads(admin_client, trained,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:leads_lead_rescore"))

    job = JobRun.objects.get(kind=JobRun.Kind.RESCORE_LEADS)
    assert (job.trigger, job.status) == (JobRun.Trigger.ADMIN, JobRun.Status.SUCCEEDED)
    open_leads = Lead.objects.exclude(stage__in=["won", "lost"])
    assert job.counts["scored"] == open_leads.count() > 0
    assert not open_leads.filter(score__isnull=True).exists()


def test_model_page_without_stored_quality_still_renders(admin_client):
    bare = ScoringModelFactory()

    response = admin_client.get(reverse("admin:leads_scoringmodel_change", args=[bare.pk]))

    assert response.status_code == 200
    assert response.content.decode().count("no data yet") == 3


def test_sales_rep_list_shows_open_leads_held_and_room(admin_client):
    rep = SalesRepFactory(user=UserFactory(username="ann"), capacity=5)
    LeadFactory.create_batch(2, owner=rep.user)
    LeadFactory(owner=rep.user, stage=Lead.Stage.WON, status=True)

    response = admin_client.get(reverse("admin:leads_salesrep_changelist"))

    page = response.content.decode()
    assert '<td class="field-open_leads">2</td>' in page
    assert '<td class="field-room">3</td>' in page


def test_a_lead_page_explains_a_lead_the_rescore_left_unexplained(admin_client, trained, monkeypatch):
    from leads.services import leads_rescore

    monkeypatch.setattr("leads.services.EXPLAINED_PER_RUN", 0)
    leads_rescore()
    lead = Lead.objects.filter(owner__isnull=True, factors={}).exclude(scoring_model=None).first()

    page = admin_client.get(reverse("admin:leads_lead_change", args=[lead.pk])).content.decode()

    assert "raises the score" in page or "lowers the score" in page
