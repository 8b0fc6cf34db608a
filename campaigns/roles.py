"""What each role may do on campaigns, offers and responses (registered with core.roles from CampaignsConfig.ready),
and the role set the API's views gate writes with."""
from __future__ import annotations

from core.roles import ALL, ANALYST, CHANGE, MARKETER, VIEW, register_grants, roles_allowed

GRANTS = {
    MARKETER: {"campaign": ALL, "offer": ALL, "offertemplate": ALL, "offerassignment": ("view", "change"),
               "responserecord": ("view", "add")},
    ANALYST: {"campaign": VIEW, "offer": VIEW, "offerassignment": VIEW, "responserecord": VIEW},
}

CAMPAIGN_WRITERS = roles_allowed("campaigns.campaign", CHANGE)


def register_roles() -> None:
    register_grants("campaigns", GRANTS)
