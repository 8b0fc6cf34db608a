from django.core.management.base import BaseCommand, CommandError

from core.errors import UserError
from leads.services import leads_rescore


class Command(BaseCommand):
    help = "Score every open lead with the champion model; print the counts per tier."

    def handle(self, *args, **options):
        try:
            job = leads_rescore()
        except UserError as exc:
            raise CommandError(str(exc)) from exc
        c = job.counts
        self.stdout.write(f"scored {c['scored']} open leads with model v{c['model_version']}: "
                          f"hot {c['hot']}, warm {c['warm']}, cold {c['cold']}")
