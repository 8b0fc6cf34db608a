"""The job kinds the apps register with core: the stored values, tasks and roles core dispatches on."""
import pytest
from django.core.exceptions import ValidationError

from core.jobs import TASK_FOR_KIND, job_enqueue
from core.models import ImportRun, JobRun
from core.registry import JobKinds, JobKind
from core.roles import ADMIN, ANALYST, MARKETER


def test_the_apps_register_every_kind_under_its_stored_value():
    assert JobRun.Kind.choices == [
        ("import_customers", "Import customers"), ("recluster", "Re-cluster customers"),
        ("import_leads", "Import leads"), ("train_leads", "Train lead model"), ("rescore_leads", "Re-score leads"),
        ("import_responses", "Import response history"), ("attach_offers", "Attach offers"),
        ("nightly", "Nightly run"),
    ]
    assert (JobRun.Kind.RECLUSTER, JobRun.Kind.IMPORT_LEADS, JobRun.Kind.NIGHTLY) == (
        "recluster", "import_leads", "nightly")


def test_each_startable_kind_names_the_task_of_its_app():
    assert dict(TASK_FOR_KIND) == {
        "recluster": "segmentation.recluster_customers",
        "train_leads": "leads.retrain_lead_model",
        "rescore_leads": "leads.rescore_leads",
        "attach_offers": "campaigns.attach_offers",
        "nightly": "core.nightly_run",
    }


def test_the_roles_that_may_start_each_kind_are_the_apps_own():
    roles = {kind.value: kind.roles for kind in JobRun.Kind}
    assert roles["recluster"] == roles["attach_offers"] == roles["import_customers"] == {MARKETER, ANALYST, ADMIN}
    assert roles["train_leads"] == roles["rescore_leads"] == roles["nightly"] == roles["import_leads"] == {
        ANALYST, ADMIN}


def test_a_name_no_app_registered_is_refused_with_the_registered_ones():
    with pytest.raises(AttributeError, match="no job kind named RECLUSTR is registered.*RECLUSTER"):
        JobRun.Kind.RECLUSTR


def test_a_name_cannot_be_registered_twice_for_different_values():
    kinds = JobKinds()
    kinds.register(JobKind(value="a", name="A", label="A"))
    with pytest.raises(ValueError, match="already registered as 'a'"):
        kinds.register(JobKind(value="b", name="A", label="B"))


@pytest.mark.django_db
def test_a_run_of_an_unregistered_kind_fails_validation_and_cannot_be_enqueued():
    with pytest.raises(ValidationError, match="kind"):
        JobRun(kind="import_pets").full_clean()
    with pytest.raises(ValueError, match="unknown job kind 'import_customers'"):
        job_enqueue(kind=JobRun.Kind.IMPORT_CUSTOMERS)


@pytest.mark.django_db
def test_import_runs_are_the_runs_of_the_kinds_registered_as_imports():
    JobRun.objects.create(kind=JobRun.Kind.IMPORT_LEADS)
    JobRun.objects.create(kind=JobRun.Kind.RECLUSTER)
    JobRun.objects.create(kind=JobRun.Kind.IMPORT_RESPONSES)
    assert sorted(ImportRun.objects.values_list("kind", flat=True)) == ["import_leads", "import_responses"]
    assert JobRun(kind=JobRun.Kind.IMPORT_RESPONSES).get_kind_display() == "Import response history"
