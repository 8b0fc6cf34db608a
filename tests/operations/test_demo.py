"""The demo set-up: simulated responses (labelled so) give the campaign report a lift; job numbers carry their kind."""
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import Campaign, OfferAssignment
from campaigns.selectors import campaign_lift_report
from core.models import JobRun
from operations.demo import job_label, nightly_step_jobs
from operations.synthetic import write_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_output(tmp_path, settings):
    """demo_setup on small generated files (the demo's own are 5,000 customers and 3,000 leads)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    write_dataset(tmp_path, customers=400, leads=300, responses=200, seed=42, open_share=0.25)
    out = StringIO()
    call_command("demo_setup", "--data-dir", str(tmp_path), stdout=out)
    return out.getvalue().splitlines()


def test_demo_setup_gives_a_lift_from_simulated_responses_and_numbers_jobs_with_their_kind(demo_output):
    # One demo run for both promises of finding 8: a run costs half a minute.
    campaign = Campaign.objects.get(name="Demo: autumn cross-sell")
    nightly = JobRun.objects.get(kind=JobRun.Kind.NIGHTLY)
    customers = JobRun.objects.get(kind=JobRun.Kind.IMPORT_CUSTOMERS)

    report = campaign_lift_report(campaign=campaign)

    answered = OfferAssignment.objects.filter(campaign=campaign, status__in=("accepted", "declined"))
    assert set(answered.values_list("response_source", flat=True)) == {"simulation"}
    assert report["simulated_responses"] == answered.count() > 0
    assert report["accepted_treated"] > 0
    assert report["lift"]["absolute"] > 0
    assert report["lift"]["verdict"] not in ("no_responses", "empty_arm")
    assert any(line.startswith("SIMULATED responses for campaign") for line in demo_output)
    assert f"job #{nightly.pk} · nightly run: succeeded" in demo_output
    assert any(f"(job #{customers.pk} · import customers)" in line for line in demo_output)
    assert demo_output[0] == "job runs share one numbering (Jobs and imports > Job runs); each is shown with its kind"


def test_job_label_puts_the_kind_beside_the_number():
    job = JobRun.objects.create(kind=JobRun.Kind.ATTACH_OFFERS)

    assert job_label(job) == f"job #{job.pk} · attach offers"


def test_nightly_step_jobs_are_the_chained_jobs_started_during_the_nightly_run():
    start = timezone.now()
    nightly = JobRun.objects.create(kind=JobRun.Kind.NIGHTLY, started_at=start,
                                    finished_at=start + timedelta(minutes=5))
    step = JobRun.objects.create(kind=JobRun.Kind.RECLUSTER, trigger=JobRun.Trigger.CHAIN)
    by_hand = JobRun.objects.create(kind=JobRun.Kind.RECLUSTER, trigger=JobRun.Trigger.COMMAND)
    later = JobRun.objects.create(kind=JobRun.Kind.ATTACH_OFFERS, trigger=JobRun.Trigger.CHAIN)
    JobRun.objects.filter(pk__in=[step.pk, by_hand.pk]).update(created_at=start + timedelta(minutes=1))
    JobRun.objects.filter(pk=later.pk).update(created_at=start + timedelta(minutes=9))

    assert nightly_step_jobs(nightly) == [step]
