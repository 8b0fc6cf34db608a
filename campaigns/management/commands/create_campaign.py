"""Create an active campaign (with each persona's default offer when asked) and print its id."""
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from campaigns.services import campaign_create
from core.errors import UserError


class Command(BaseCommand):
    help = ("Create an active campaign and print its id (nothing else, so scripts can capture it). "
            "Exit status 1 when the name is taken or a value is invalid.")

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--control-share", type=float, default=0.10,
                            help="share of eligible customers held out to measure lift (default 0.10)")
        parser.add_argument("--with-default-offers", action="store_true",
                            help="copy the default offer of each persona (offer templates) into the campaign")
        parser.add_argument("--audience-cap", type=int, help="most customers to contact (default: no cap)")
        parser.add_argument("--channel", choices=Campaign.Channel.values, default=Campaign.Channel.EMAIL)
        parser.add_argument("--get-existing", action="store_true",
                            help="if a campaign of that name exists, print its id instead of failing")

    def handle(self, *args, **options):
        try:
            campaign = campaign_create(
                name=options["name"], control_share=options["control_share"],
                with_default_offers=options["with_default_offers"], get_existing=options["get_existing"],
                audience_cap=options["audience_cap"], channel=options["channel"],
            )
        except UserError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(campaign.pk))
