"""Offer responses from a file (an email tool's export): which assignment each line answers, and whether it may.

Columns: ``customer_id`` (external id), ``campaign`` (id or exact name), ``status`` (sent, accepted or declined)
and, optionally, ``offer`` (offer id). A line answers the customer's control row when the customer is held out
(accepted = converted without an offer); otherwise the given offer's live row, or without an offer column the
customer's first-ranked offer in the campaign. When two lines answer the same assignment, the last one counts.
No Django here: ``services.offer_responses_import`` reads the rows and writes the result.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from campaigns.attach import ACCEPTED, DECLINED, EXPIRED, PROPOSED, SENT

RESPONSE_STATUSES = (SENT, ACCEPTED, DECLINED)
NEXT_STATUSES = {
    PROPOSED: {SENT, ACCEPTED, DECLINED},
    SENT: {ACCEPTED, DECLINED},
    ACCEPTED: {DECLINED},
    DECLINED: {ACCEPTED},
    EXPIRED: set(),
}
HEADERS = {"customer": "customer_id", "campaign": "campaign", "status": "status", "offer": "offer"}


def row_error(line: int, column: str, value: object, reason: str) -> dict:
    return {"row": int(line), "column": column, "value": "" if value is None else str(value), "reason": reason}


def parse_lines(lines: pd.DataFrame, campaign_ids: dict[str, int]) -> tuple[pd.DataFrame, list[dict]]:
    """Typed lines (line, customer, campaign_id, status, offer_id) and an error per rejected line.

    ``lines`` has text columns customer, campaign, status, offer and the file line number in ``line``;
    ``campaign_ids`` maps each campaign's id (as text) and name to its id.
    """
    errors = []
    status = lines["status"].str.strip().str.lower()
    campaign_id = lines["campaign"].str.strip().map(campaign_ids)
    offer_text = lines["offer"].str.strip()
    offer_id = pd.to_numeric(offer_text.where(offer_text != ""), errors="coerce")
    checks = (
        (lines["customer"].str.strip() == "", "customer", "required value is empty"),
        (~status.isin(RESPONSE_STATUSES), "status", f"must be one of {', '.join(RESPONSE_STATUSES)}"),
        (campaign_id.isna(), "campaign", "no campaign with this id or name"),
        ((offer_text != "") & (offer_id.isna() | (offer_id % 1 != 0)), "offer", "must be an offer id (a whole number)"),
    )
    rejected = np.zeros(len(lines), dtype=bool)
    for bad, column, reason in checks:
        bad = bad.to_numpy()
        errors += [row_error(line, HEADERS[column], value, reason)
                   for line, value in zip(lines["line"][bad], lines[column][bad])]
        rejected |= bad
    typed = pd.DataFrame({
        "line": lines["line"], "customer": lines["customer"].str.strip(), "campaign_id": campaign_id,
        "status": status, "offer_id": offer_id,
    })[~rejected]
    return typed.astype({"campaign_id": "int64", "offer_id": "Int64"}).reset_index(drop=True), errors


def match_assignments(lines: pd.DataFrame, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """The assignment each line answers, with its new status, or an error saying why it cannot be answered.

    ``rows`` are the non-expired assignments of the campaigns named: id, campaign_id, customer (external id),
    offer_id, is_control, status, rank. Returns (id, old status, new status, line) for changes only.
    """
    ordered = rows.sort_values(["is_control", "rank", "id"], ascending=[False, True, True], na_position="last")
    first = ordered.drop_duplicates(["campaign_id", "customer"])
    by_offer = ordered[~ordered["is_control"]].drop_duplicates(["campaign_id", "customer", "offer_id"])
    with_offer = lines["offer_id"].notna()
    keys = ["campaign_id", "customer"]
    matched = pd.concat([
        lines[~with_offer].merge(first[[*keys, "id", "is_control", "status"]], on=keys, how="left",
                                 suffixes=("", "_old")),
        lines[with_offer].merge(by_offer[[*keys, "offer_id", "id", "is_control", "status"]],
                                on=[*keys, "offer_id"], how="left", suffixes=("", "_old")),
    ]).sort_values("line", kind="stable")
    errors = []
    missing = matched["id"].isna()
    errors += [row_error(line, "customer_id", customer, "no offer (or control row) of this customer in the campaign")
               for line, customer in zip(matched["line"][missing], matched["customer"][missing])]
    found = matched[~missing].drop_duplicates("id", keep="last")
    control_sent = found["is_control"].astype(bool) & (found["status"] == SENT)
    allowed = np.array([new in NEXT_STATUSES[old] or new == old
                        for old, new in zip(found["status_old"], found["status"])], dtype=bool)
    errors += [row_error(line, "status", new, "control customers are held out: they are never sent an offer")
               for line, new in zip(found["line"][control_sent], found["status"][control_sent])]
    refused = ~allowed & ~control_sent.to_numpy()
    errors += [row_error(line, "status", new, f"this offer is {old}: it cannot become {new}")
               for line, old, new in zip(found["line"][refused], found["status_old"][refused],
                                         found["status"][refused])]
    ok = found[allowed & ~control_sent.to_numpy()]
    changes = ok[ok["status"] != ok["status_old"]].astype({"id": "int64"})
    return changes[["id", "status_old", "status", "line"]].reset_index(drop=True), sorted(
        errors, key=lambda error: error["row"])
