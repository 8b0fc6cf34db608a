"""Attach offers now: every running campaign, or one (--campaign ID or name); prints what changed."""
from django.core.management.base import CommandError

from campaigns.selectors import campaign_find
from campaigns.services import offers_attach
from core.errors import UserError
from core.management.job_command import JobCommand
from core.models import JobRun


def campaign_line(campaign_id: str, counts: dict) -> str:
    return (
        f"campaign #{campaign_id}: {counts['audience']} customers in the audience ({counts['treated']} given offers, "
        f"{counts['control']} held out as control); {counts['offers_proposed']} offers proposed, "
        f"{counts['control_rows_added']} control rows added, {counts['kept']} kept, {counts['rescored']} re-scored, "
        f"{counts['expired']} expired; {counts['unsegmented']} customers without a segment or persona, "
        f"{counts['without_eligible_offer']} without an eligible offer, {counts['capped']} over the audience cap"
    )


def propensity_line(report: dict) -> str:
    if "held_out_roc_auc" in report:
        return (f"P(accept): {report['source']} ({report['model']}), "
                f"held-out ROC AUC {report['held_out_roc_auc']:.3f}, "
                f"trained on {report['training_rows']} of {report['customers']} customers")
    return f"P(accept): {report.get('source', 'none')} ({report.get('reason', '')})"


class Command(JobCommand):
    help = "Attach offers to customers for every running campaign, or one. Exit status 1 if the run is refused."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="campaign id or exact name (default: every running campaign)")

    def handle(self, *args, **options):
        try:
            campaign = campaign_find(reference=options["campaign"]) if options["campaign"] else None
            job = offers_attach(campaign=campaign, trigger=JobRun.Trigger.COMMAND)
        except UserError as exc:
            raise CommandError(str(exc)) from None
        campaigns = job.report.get("campaigns", {})
        if not campaigns:
            self.stdout.write("no campaign is running today: nothing to attach")
        for campaign_id, counts in campaigns.items():
            self.stdout.write(campaign_line(campaign_id, counts))
            for offer in counts.get("offers_without_customers", []):
                self.stdout.write(self.style.WARNING(
                    f"  offer {offer['name']!r} (#{offer['offer']}) reaches nobody: {offer['reason']}"))
        if "propensity" in job.report:
            self.stdout.write(propensity_line(job.report["propensity"]))
        seconds = job.duration_seconds or 0.0
        self.stdout.write(self.style.SUCCESS(f"attach offers, job #{job.pk}: {job.status} in {seconds:.1f} s"))
