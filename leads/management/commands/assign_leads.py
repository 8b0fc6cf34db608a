from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from leads.models import Lead
from leads.selectors import sales_reps
from leads.services import lead_assign, leads_assign_round_robin


class Command(BaseCommand):
    help = ("Deal unowned open leads to active reps, best scored first, weighted by each rep's room (capacity − open "
            "leads held); or with --rep and --leads, give those leads to one rep by hand.")

    def add_arguments(self, parser):
        parser.add_argument("--rep", help="username of the rep to assign --leads to (by hand)")
        parser.add_argument("--leads", nargs="+", metavar="EXTERNAL_ID", help="external ids of the leads (by hand)")

    def handle(self, *args, **options):
        if bool(options["rep"]) != bool(options["leads"]):
            raise CommandError("--rep and --leads go together: --rep USERNAME --leads EXTERNAL_ID [EXTERNAL_ID ...]")
        if options["rep"]:
            self._by_hand(options["rep"], options["leads"])
            return
        result = leads_assign_round_robin()
        if not result["per_rep"]:
            raise CommandError("no active sales reps: add one in the admin (Leads › Sales reps)")
        for name, count in result["per_rep"].items():
            self.stdout.write(f"{name:<24}{count:>8}")
        self.stdout.write(f"assigned {result['assigned']} leads")

    def _by_hand(self, username: str, external_ids: list[str]) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        rep = sales_reps().filter(pk=user.pk).first()
        if rep is None:
            raise CommandError(f"{username!r} is not an active sales rep (sales_rep group or active capacity)")
        leads = {lead.external_id: lead for lead in Lead.objects.filter(external_id__in=external_ids)}
        unknown = [external_id for external_id in external_ids if external_id not in leads]
        if unknown:
            raise CommandError(f"no lead with external id {', '.join(unknown)}; nothing was assigned")
        for external_id in dict.fromkeys(external_ids):
            lead_assign(lead=leads[external_id], rep=rep)
        self.stdout.write(f"assigned {len(leads)} leads to {username}")
