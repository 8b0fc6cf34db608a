from django.core.management.base import CommandError

from core.errors import UserError
from core.management.job_command import JobCommand
from leads.services import leads_rescore


class Command(JobCommand):
    help = ("Score open leads with the champion model (only those that could score differently since the last "
            "re-score, unless --full); print the counts per tier.")

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="score every open lead, changed or not")

    def handle(self, *args, **options):
        try:
            job = leads_rescore(full=options["full"])
        except UserError as exc:
            raise CommandError(str(exc)) from exc
        c = job.counts
        scope = f"{c['scored']} of {c['open']}" if c["incremental"] else f"{c['scored']}"
        self.stdout.write(f"scored {scope} open leads with model v{c['model_version']}: "
                          f"hot {c['hot']}, warm {c['warm']}, cold {c['cold']}; {c['changed']} changed")
