"""Everything `make run` needs after migrate: data, users, a campaign, the first nightly run."""
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from campaigns.charts import lift_label
from campaigns.selectors import campaign_lift_report
from campaigns.services import campaign_create, offer_responses_simulate, responses_import
from core.models import JobRun
from leads.services import lead_model_train, leads_assign_round_robin, leads_import
from operations.demo import demo_data_files, demo_users_ensure, job_label, nightly_step_jobs
from operations.nightly import nightly_run
from segmentation.services import customers_import


class Command(BaseCommand):
    help = (
        "Import demo data (generated, or real files from DATA_DIR / --data-dir), create demo users (marketer, two "
        "sales reps, analyst, admin), a demo campaign with the default offers, train the lead model, run the "
        "first nightly job and record SIMULATED responses (labelled so) so the campaign report shows a lift. Safe "
        "to run again: imports upsert, users and campaign are reused, answered offers keep their answers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", default=os.environ.get("DATA_DIR", ""),
                            help="folder with real files (customer_personality/, extraalearn/, personalisation/ "
                                 "or customers.csv, leads.csv, responses.csv); default: generate synthetic data")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--skip-nightly", action="store_true")

    def handle(self, *args, **options):
        files = demo_data_files(data_dir=options["data_dir"], seed=options["seed"],
                                out_dir=Path(settings.VAR_DIR) / "demo-data")
        self.stdout.write("job runs share one numbering (Jobs and imports > Job runs); each is shown with its kind")
        for label, service, path in (("customers", customers_import, files["customers"]),
                                     ("leads", leads_import, files["leads"]),
                                     ("responses", responses_import, files["responses"])):
            job = service(source=path)
            if job.status == JobRun.Status.FAILED:
                raise CommandError(f"importing {label} from {path} failed ({job_label(job)}): {job.error}")
            self.stdout.write(f"imported {label} from {path} ({job_label(job)}): {job.counts}")
        for line in demo_users_ensure():
            self.stdout.write(line)
        campaign = campaign_create(name="Demo: autumn cross-sell", with_default_offers=True, get_existing=True)
        self.stdout.write(f"campaign #{campaign.pk} '{campaign.name}' with {campaign.offers.count()} offers")
        model = lead_model_train(trigger=JobRun.Trigger.COMMAND)
        trained = JobRun.objects.filter(pk=model.job_id).first()
        self.stdout.write(f"lead model v{model.version} ({model.algorithm}), champion={model.is_champion}"
                          + (f" ({job_label(trained)})" if trained else ""))
        self.stdout.write(f"assigned leads: {leads_assign_round_robin()}")
        if options["skip_nightly"]:
            return
        job = nightly_run(trigger=JobRun.Trigger.COMMAND)
        self.stdout.write(f"{job_label(job)}: {job.status}")
        for step in nightly_step_jobs(job):
            self.stdout.write(f"  {job_label(step)}: {step.status}")
        answered = offer_responses_simulate(campaign=campaign, seed=options["seed"])
        self.stdout.write(
            f"SIMULATED responses for campaign #{campaign.pk} (demo only, stored with response source "
            f"'simulation'): {answered['treated_answered']} treated customers answered "
            f"({answered['treated_accepted']} accepted), {answered['control_converted']} of "
            f"{answered['control_answered']} control customers converted without an offer")
        self.stdout.write(f"lift: {lift_label(campaign_lift_report(campaign=campaign))} "
                          f"(python manage.py campaign_report {campaign.pk})")
