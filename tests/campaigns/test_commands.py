"""Campaign commands: what they print and their exit status (0 done, 1 refused, 2 bad arguments)."""
import csv
import json

import pytest
from django.core.management import execute_from_command_line
from django.db import connections

from campaigns.models import Campaign, OfferAssignment
from campaigns.services import responses_import
from operations.synthetic import generate_responses
from segmentation.personas import PREMIUM
from tests.factories import AssignmentFactory, CampaignFactory, CustomerFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_test_connection(monkeypatch):
    """A command run from the command line closes every connection when it ends; the test's must stay open."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run a command as the shell would; returns (exit status, stdout, stderr)."""
    try:
        execute_from_command_line(["manage.py", *argv])
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    out = capsys.readouterr()
    return status, out.out, out.err


def test_create_campaign_prints_only_the_new_campaigns_id(capsys):
    status, out, _ = run(capsys, "create_campaign", "Autumn", "--control-share", "0.2")

    campaign = Campaign.objects.get(name="Autumn")
    assert (status, out, campaign.control_share) == (0, f"{campaign.pk}\n", 0.2)


def test_create_campaign_with_default_offers_adds_one_offer_per_persona(capsys):
    run(capsys, "create_campaign", "Autumn", "--with-default-offers")

    assert Campaign.objects.get(name="Autumn").offers.count() == 3


def test_create_campaign_with_a_taken_name_exits_with_status_1(capsys):
    CampaignFactory(name="Autumn")

    status, _, err = run(capsys, "create_campaign", "Autumn")

    assert status == 1
    assert "a campaign named 'Autumn' already exists" in err


def test_attach_offers_prints_what_changed_for_each_campaign(capsys):
    CustomerFactory.create_batch(2, persona=PREMIUM)
    CustomerFactory(persona="")
    campaign = CampaignFactory(control_share=0.0)
    OfferFactory(campaign=campaign)

    status, out, _ = run(capsys, "attach_offers", "--campaign", str(campaign.pk))

    assert status == 0
    assert out.splitlines()[0] == (
        f"campaign #{campaign.pk}: 2 customers in the audience (2 given offers, 0 held out as control); "
        f"2 offers proposed, 0 control rows added, 0 kept, 0 re-scored, 0 expired; "
        f"1 customers without a segment or persona, 0 without an eligible offer, 0 over the audience cap")
    assert "succeeded" in out.splitlines()[-1]


def test_attach_offers_for_a_draft_campaign_exits_with_status_1(capsys):
    draft = CampaignFactory(status=Campaign.Status.DRAFT, name="Later")

    status, _, err = run(capsys, "attach_offers", "--campaign", "Later")

    assert status == 1
    assert f"campaign {draft.name!r} is not running today" in err


@pytest.fixture
def reported_campaign():
    campaign = CampaignFactory(name="Autumn")
    offer = OfferFactory(campaign=campaign, name="Tasting")
    AssignmentFactory(offer=offer, status=OfferAssignment.Status.ACCEPTED)
    AssignmentFactory(offer=offer)
    AssignmentFactory(offer=offer, is_control=True)
    return campaign


def test_campaign_report_json_prints_one_object_with_the_documented_fields(capsys, reported_campaign):
    status, out, _ = run(capsys, "campaign_report", "Autumn", "--json")

    report = json.loads(out)
    assert status == 0
    assert (report["campaign"], report["treated"], report["control"], report["accepted_treated"],
            report["accepted_control"]) == (reported_campaign.pk, 2, 1, 1, 0)
    assert {"absolute", "ci_low", "ci_high"} <= set(report["lift"])
    assert [(row["name"], row["treated"], row["control"]) for row in report["by_offer"]] == [("Tasting", 2, 1)]
    assert {"treated", "control", "accepted_treated", "accepted_control", "lift"} <= set(report["by_segment"][0])


def test_campaign_report_says_too_few_to_tell_for_tiny_arms(capsys, reported_campaign):
    status, out, _ = run(capsys, "campaign_report", str(reported_campaign.pk))

    all_offers = next(line for line in out.splitlines() if line.startswith("All offers"))
    assert status == 0
    assert all_offers.endswith("too few to tell (p = 1.000)")


def test_campaign_report_for_an_unknown_campaign_exits_with_status_1(capsys):
    status, _, err = run(capsys, "campaign_report", "Nope")

    assert (status, "no campaign with id or name 'Nope'" in err) == (1, True)


def test_export_audience_escapes_cells_that_would_run_as_formulas(capsys, tmp_path):
    offer = OfferFactory(campaign=CampaignFactory(name="Autumn"), name="Tasting", message="=HYPERLINK(\"x\")")
    given = AssignmentFactory(offer=offer, customer__external_id="+4411")
    out_file = tmp_path / "audience.csv"

    status, out, _ = run(capsys, "export_audience", "Autumn", "--out", str(out_file))

    assert (status, out) == (0, f"1 rows written to {out_file}\n")
    assert list(csv.reader(out_file.open())) == [
        ["customer_external_id", "persona", "offer", "message"],
        ["'+4411", given.persona, "Tasting", "'=HYPERLINK(\"x\")"],
    ]


def test_export_audience_of_another_campaigns_offer_exits_with_status_1(capsys, tmp_path):
    CampaignFactory(name="Autumn")
    other_offer = OfferFactory()

    status, _, err = run(capsys, "export_audience", "Autumn", "--offer", str(other_offer.pk),
                         "--out", str(tmp_path / "a.csv"))

    assert (status, f"has no offer #{other_offer.pk}" in err) == (1, True)


def test_export_audience_without_an_output_file_exits_with_status_2(capsys):
    status, _, err = run(capsys, "export_audience", "Autumn")

    assert (status, "--out" in err) == (2, True)


def test_compare_recommenders_prints_both_approaches_on_the_real_data(capsys):
    status, out, _ = run(capsys, "compare_recommenders")

    auc = {(line[:26].strip(), line[27:44].strip()): float(line.split()[-4]) for line in out.splitlines()[2:]}
    assert status == 0
    assert len(out.splitlines()) == 8
    assert auc[("personalisation responses", "propensity model")] > auc[("personalisation responses", "segment rule")]
    assert auc[("customer campaigns", "propensity model")] > auc[("customer campaigns", "segment rule")]


def test_compare_recommenders_from_the_database_uses_the_imported_responses(capsys):
    responses_import(source=generate_responses(4000, 5).to_csv(index=False).encode())

    status, out, _ = run(capsys, "compare_recommenders", "--from-db")

    datasets = [line[:26].strip() for line in out.splitlines()[2:]]
    assert (status, datasets) == (0, ["personalisation responses"] * 3)


def test_compare_recommenders_without_the_data_folder_exits_with_status_1(capsys, settings, tmp_path):
    settings.SHARED_DATA_DIR = tmp_path

    status, _, err = run(capsys, "compare_recommenders")

    assert (status, "is missing: set SHARED_DATA_DIR" in err) == (1, True)


def test_record_offer_responses_with_a_rejected_line_exits_with_status_2(capsys, tmp_path):
    campaign = CampaignFactory(name="Autumn")
    AssignmentFactory(offer__campaign=campaign, customer__external_id="A1")
    responses = tmp_path / "responses.csv"
    responses.write_text("customer_id,campaign,status\nA1,Autumn,accepted\nZZ,Autumn,accepted\n")

    status, out, _ = run(capsys, "record_offer_responses", str(responses))

    assert status == 2
    assert out.splitlines()[0] == "responses: 2 read, 1 recorded, 0 unchanged, 1 rejected"
