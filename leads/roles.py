"""What each role may do on leads and scoring models (registered with core.roles from LeadsConfig.ready), which
leads a sales rep reaches, and the role sets the API's views gate with.

A rep works leads (``WORK``: claim, release, log outcomes, read their queue) but sees only the leads they own or
may claim, and the activity and scores of those (the rule's meaning: leads.selectors.register_row_rules)."""
from __future__ import annotations

from core.roles import (
    ADD, ANALYST, ASSIGN, CHANGE, MANAGE, MARKETER, OWN_OR_CLAIMABLE, SALES_REP, VIEW, VIEW_ACTION, WORK,
    register_grants, register_row_scope, roles_allowed,
)

GRANTS = {
    MARKETER: {"lead": VIEW, "leadscore": VIEW, "scoringmodel": VIEW},
    SALES_REP: {"lead": (VIEW_ACTION, WORK), "leadactivity": VIEW, "leadscore": VIEW},
    ANALYST: {"lead": VIEW, "scoringmodel": (VIEW_ACTION, MANAGE), "leadscore": VIEW, "leadactivity": VIEW,
              "salesrep": VIEW},
}
REP_SCOPED = ("leads.lead", "leads.leadactivity", "leads.leadscore")

LEAD_READERS = roles_allowed("leads.lead", VIEW_ACTION)
LEAD_EDITORS = roles_allowed("leads.lead", CHANGE)
LEAD_CREATORS = roles_allowed("leads.lead", ADD)
LEAD_WORKERS = roles_allowed("leads.lead", WORK)
LEAD_DEALERS = roles_allowed("leads.lead", ASSIGN)
MODEL_READERS = roles_allowed("leads.scoringmodel", VIEW_ACTION)
MODEL_MANAGERS = roles_allowed("leads.scoringmodel", MANAGE)


def register_roles() -> None:
    register_grants("leads", GRANTS)
    for model in REP_SCOPED:
        register_row_scope(SALES_REP, model, OWN_OR_CLAIMABLE)
