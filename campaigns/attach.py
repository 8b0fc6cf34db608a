"""Attaching offers, as a plan computed on DataFrames: who gets which offer tonight and what changes in the table.

No Django here: ``campaigns.frames`` reads the frames and publishes the plan, ``services.offers_attach`` runs it
as a job. One plan per campaign:

1. candidates: every (customer, offer) pair where the customer has a persona the offer targets or is in a
   segment whose key it targets (a descriptive segment, persona "", is reached by its key only), passes the
   offer's eligibility rules, and has not had the offer ``frequency_cap`` times (delivered = sent, accepted or
   declined; a still-live offer is kept, not counted again);
2. P(accept) as ``campaigns.ml.acceptance`` defines it, expected value = P x value, rank per customer; with no
   evidence at all (no response history, none recorded) P and the expected value are unknown (NULL) and the
   offers are ranked by value;
3. audience: customers ordered by their best expected value; the control group (hash of campaign and customer,
   ``campaigns.ml.control``) is held out; the audience cap limits the customers contacted, and control
   customers ranked past the last contacted one are dropped too, so both arms come from the same ranking;
4. diff against the campaign's rows: live rows still wanted are kept (a pending one re-scored if its numbers
   moved), pending rows no longer wanted are expired, missing ones are inserted as proposed. Rows are never
   deleted, so a customer's offer history stays.

Control rows carry the offer the customer would have got first (with its P(accept) and expected value) so lift
can be read per offer; they are never sent or exported.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from campaigns.ml.acceptance import BASE_COLUMN, acceptance_probability
from campaigns.ml.control import in_control_group
from campaigns.ml.ranking import eligibility_mask, rank_offers
from campaigns.ml.reach import unreached_offers
from campaigns.ml.smoothing import AcceptanceRates

PROPOSED, SENT, ACCEPTED, DECLINED, EXPIRED = "proposed", "sent", "accepted", "declined", "expired"
LIVE = (PROPOSED, SENT)
DELIVERED = (SENT, ACCEPTED, DECLINED)
P_DECIMALS, SCORE_DECIMALS = 6, 4
ROW_FIELDS = ("persona", "segment_key", "p_accept", "score", "rank")
EXISTING_COLUMNS = ("id", "customer_id", "offer_id", "is_control", "status", *ROW_FIELDS)
CUSTOMER_COLUMNS = ("customer_id", "external_id", "persona", "segment_key", BASE_COLUMN)
ELIGIBILITY_COLUMNS = ("income", "kidhome", "teenhome", "recency", "complain")


@dataclass(frozen=True)
class CampaignTarget:
    """The campaign fields a plan needs."""

    id: int
    control_share: float
    audience_cap: int | None = None


@dataclass(frozen=True, eq=False)
class AttachPlan:
    campaign_id: int
    inserts: pd.DataFrame
    expire_ids: np.ndarray
    rescores: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)
    # Offers no customer is eligible for tonight: {"offer", "name", "reason"} each, never dropped silently.
    unreached: tuple[dict, ...] = ()


@dataclass(frozen=True, eq=False)
class AttachRun:
    """Every campaign's plan and what the run's report says about the customers and the propensity."""

    plans: list[AttachPlan]
    customers: int
    propensity: dict
    recorded: int


def offer_candidates(customers: pd.DataFrame, offers: pd.DataFrame) -> pd.DataFrame:
    """Long frame, one row per (targetable customer, offer) that the offer's targeting and rules allow: a persona
    offer reaches customers with that persona, a segment offer every customer of its segments, whether the
    segment has a persona or only a descriptive label."""
    parts = []
    persona, segment_key = customers["persona"], customers["segment_key"]
    has_persona = (persona != "").to_numpy()
    for offer in offers.itertuples(index=False):
        targeted = has_persona & persona.isin(list(offer.target_personas)).to_numpy()
        if offer.target_segment_keys:
            targeted = targeted | segment_key.isin(list(offer.target_segment_keys)).to_numpy()
        positions = np.flatnonzero(targeted & eligibility_mask(customers, offer.eligibility))
        if len(positions):
            parts.append(pd.DataFrame({
                "position": positions, "offer_id": offer.offer_id, "offer_type": offer.offer_type,
                "value": float(offer.value), "priority": offer.priority, "frequency_cap": offer.frequency_cap,
            }))
    offer_columns = ["position", "offer_id", "offer_type", "value", "priority", "frequency_cap"]
    candidates = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {name: pd.Series(dtype="int64" if name != "offer_type" else object) for name in offer_columns})
    picked = customers.iloc[candidates.pop("position").to_numpy()]
    for column in CUSTOMER_COLUMNS:
        candidates[column] = picked[column].to_numpy()
    return candidates


def within_frequency_caps(candidates: pd.DataFrame, existing: pd.DataFrame) -> pd.DataFrame:
    """Drop pairs delivered ``frequency_cap`` times already, unless a live row of the pair exists (it is kept)."""
    treated = existing[~existing["is_control"]]
    keys = ["customer_id", "offer_id"]
    delivered = treated[treated["status"].isin(DELIVERED)].groupby(keys).size().rename("delivered")
    live = treated[treated["status"].isin(LIVE)][keys].drop_duplicates().assign(live=True)
    merged = candidates.merge(delivered, left_on=keys, right_index=True, how="left").merge(live, on=keys, how="left")
    allowed = merged["live"].eq(True) | (merged["delivered"].fillna(0) < merged["frequency_cap"])
    return candidates[allowed.to_numpy()].reset_index(drop=True)


def score_candidates(candidates: pd.DataFrame, rates: AcceptanceRates | None) -> pd.DataFrame:
    """P(accept), expected value (``score``) and rank per customer; rounded so re-runs compare equal."""
    scored = candidates.copy()
    if scored.empty:
        return scored.assign(p_accept=[], score=[], rank=[])
    # Without a base propensity and without recorded responses nothing says how likely a customer is to accept:
    # P and the expected value stay unknown. The base is per customer, so a customer's offers are all known or
    # all unknown, and ranking an unknown customer's offers as if P were equal ranks them by value.
    known = scored[BASE_COLUMN].notna().to_numpy() | (rates is not None)
    p_accept = np.full(len(scored), np.nan)
    if known.any():
        p_accept[known] = np.round(acceptance_probability(scored[known], rates), P_DECIMALS)
    scored["p_accept"] = p_accept
    scored["score"] = np.round(scored["p_accept"] * scored["value"], SCORE_DECIMALS)
    ranking = scored.assign(p_accept=np.where(known, p_accept, 1.0))
    scored["rank"] = rank_offers(ranking, value_column="value", priority_column="priority")
    return scored


def choose_audience(scored: pd.DataFrame, campaign: CampaignTarget) -> pd.DataFrame:
    """One row per customer with an offer: its best offer, control flag, and whether the cap keeps it."""
    best = scored[scored["rank"] == 1]
    # An unknown expected value (no evidence of P) orders by the offer's value instead.
    order = best.assign(order=best["score"].fillna(best["value"]))
    best = order.sort_values(["order", "customer_id"], ascending=[False, True],
                             kind="stable").drop(columns="order").reset_index(drop=True)
    best["is_control"] = in_control_group(campaign.id, best["external_id"], campaign.control_share)
    # Contacted customers counted down the ranking: a control customer stays while no more than the cap have
    # been contacted above it, i.e. exactly the control customers ranked before the first one cut off.
    contacted_so_far = np.cumsum(~best["is_control"].to_numpy())
    cap = np.inf if campaign.audience_cap is None else campaign.audience_cap
    best["in_audience"] = contacted_so_far <= cap
    return best


def wanted_rows(scored: pd.DataFrame, audience: pd.DataFrame) -> pd.DataFrame:
    """Every offer of each treated customer in the audience, plus one control row per held-out customer."""
    kept = audience[audience["in_audience"]]
    treated_ids = kept.loc[~kept["is_control"], "customer_id"]
    treated = scored[scored["customer_id"].isin(treated_ids)].assign(is_control=False)
    control = kept[kept["is_control"]].assign(is_control=True)
    columns = ["customer_id", "offer_id", "is_control", *ROW_FIELDS]
    return pd.concat([treated[columns], control[columns]], ignore_index=True)


def differs(new: pd.Series, old: pd.Series, tolerance: float = 0.0) -> np.ndarray:
    """Null-safe "changed": both missing is equal, one missing differs; numbers compared within ``tolerance``."""
    new_missing, old_missing = new.isna().to_numpy(), old.isna().to_numpy()
    if tolerance:
        unequal = ~np.isclose(new.to_numpy(dtype=float), old.to_numpy(dtype=float), rtol=0, atol=tolerance)
    else:
        unequal = new.to_numpy(dtype=object, na_value=None) != old.to_numpy(dtype=object, na_value=None)
    return np.where(new_missing | old_missing, new_missing != old_missing, unequal)


def rows_to_rescore(kept: pd.DataFrame) -> pd.DataFrame:
    """Pending kept rows whose persona, segment, P(accept), score or rank moved."""
    pending = kept[kept["status"] == PROPOSED]
    changed = np.zeros(len(pending), dtype=bool)
    for name in ROW_FIELDS:
        tolerance = 1e-9 if name in ("p_accept", "score") else 0.0
        changed |= differs(pending[name], pending[f"{name}_old"], tolerance)
    return pending.loc[changed, ["id", *ROW_FIELDS]].reset_index(drop=True)


def diff_rows(wanted: pd.DataFrame, existing: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, int]:
    """(rows to insert, ids to expire, rows to re-score, rows kept) for one campaign."""
    old_fields = {name: f"{name}_old" for name in ROW_FIELDS}
    existing = existing.rename(columns=old_fields)
    live_treated = existing[~existing["is_control"] & existing["status"].isin(LIVE)]
    live_control = existing[existing["is_control"] & (existing["status"] != EXPIRED)]

    treated = wanted[~wanted["is_control"]].merge(
        live_treated.drop(columns="is_control"), on=["customer_id", "offer_id"], how="left")
    control = wanted[wanted["is_control"]].merge(
        live_control.drop(columns="is_control").rename(columns={"offer_id": "old_offer_id"}),
        on="customer_id", how="left")
    moved_offer = (control["offer_id"] != control["old_offer_id"]).astype("boolean").fillna(True).to_numpy(bool)
    replaced = control["status"].eq(PROPOSED).to_numpy() & moved_offer
    control_kept = control[control["id"].notna().to_numpy() & ~replaced]

    wanted_keys = pd.MultiIndex.from_frame(wanted.loc[~wanted["is_control"], ["customer_id", "offer_id"]])
    live_keys = pd.MultiIndex.from_frame(live_treated[["customer_id", "offer_id"]])
    unwanted_treated = live_treated[(live_treated["status"] == PROPOSED).to_numpy() & ~live_keys.isin(wanted_keys)]
    control_ids = wanted.loc[wanted["is_control"], "customer_id"]
    unwanted_control = live_control[(live_control["status"] == PROPOSED)
                                    & ~live_control["customer_id"].isin(control_ids)]

    inserts = pd.concat([treated[treated["id"].isna()], control[control["id"].isna().to_numpy() | replaced]],
                        ignore_index=True)[wanted.columns]
    expire_ids = np.concatenate([unwanted_treated["id"].to_numpy(), unwanted_control["id"].to_numpy(),
                                 control.loc[replaced, "id"].to_numpy()]).astype(np.int64)
    kept = pd.concat([treated[treated["id"].notna()], control_kept], ignore_index=True)
    return inserts, np.sort(expire_ids), rows_to_rescore(kept), len(kept)


def targetable_customers(customers: pd.DataFrame) -> pd.DataFrame:
    """The customers offers can reach: with a segment or a persona (a DBSCAN outlier has no segment but its
    nearest segment's persona, so persona offers still reach it); the others are unsegmented."""
    targetable_rows = customers["segment_key"].notna() | (customers["persona"] != "")
    targetable = customers.loc[targetable_rows, [*CUSTOMER_COLUMNS, *ELIGIBILITY_COLUMNS]]
    return targetable.reset_index(drop=True)


@dataclass(frozen=True)
class Reach:
    """What says why an offer reaches nobody, summed over any slices of the customers: the personas and segment
    keys present, customers per offer before frequency caps, offers left to some customer after them."""

    personas: tuple[str, ...] = ()
    keys: tuple[int, ...] = ()
    eligible: dict[int, int] = field(default_factory=dict)
    reached: tuple[int, ...] = ()

    @classmethod
    def of(cls, targetable: pd.DataFrame, eligible: pd.DataFrame, candidates: pd.DataFrame) -> Reach:
        counts = eligible["offer_id"].value_counts()
        return cls(tuple(sorted(set(targetable["persona"].tolist()))),
                   tuple(sorted(set(targetable["segment_key"].dropna().astype(int).tolist()))),
                   {int(offer): int(n) for offer, n in counts.items()},
                   tuple(sorted(set(candidates["offer_id"].astype(int).tolist()))))

    @classmethod
    def merged(cls, parts: list[Reach]) -> Reach:
        eligible: dict[int, int] = {}
        for part in parts:
            for offer, n in part.eligible.items():
                eligible[int(offer)] = eligible.get(int(offer), 0) + int(n)
        return cls(tuple(sorted({p for part in parts for p in part.personas})),
                   tuple(sorted({k for part in parts for k in part.keys})), eligible,
                   tuple(sorted({o for part in parts for o in part.reached})))

    def unreached(self, offers: pd.DataFrame) -> tuple[dict, ...]:
        return unreached_offers(offers, present_personas=set(self.personas), present_keys=set(self.keys),
                                eligible=self.eligible, reached=set(self.reached))


def scored_candidates(*, targetable: pd.DataFrame, offers: pd.DataFrame, existing: pd.DataFrame,
                      rates: AcceptanceRates | None) -> tuple[pd.DataFrame, Reach]:
    """Steps 1 and 2 for some targetable customers: their scored (customer, offer) pairs, one customer's pairs
    never depending on another customer, and what says which offers reach nobody."""
    eligible = offer_candidates(targetable, offers)
    candidates = within_frequency_caps(eligible, existing)
    return score_candidates(candidates, rates), Reach.of(targetable, eligible, candidates)


def plan_campaign(*, campaign: CampaignTarget, customers: pd.DataFrame, offers: pd.DataFrame,
                  existing: pd.DataFrame, rates: AcceptanceRates | None) -> AttachPlan:
    """The plan for one campaign. ``customers`` holds every customer with a ``base_propensity`` column; one with
    neither a segment nor a persona is unsegmented (not targetable); ``existing`` the campaign's assignment rows
    that have not expired (``EXISTING_COLUMNS``; expired rows are history and play no part)."""
    targetable = targetable_customers(customers)
    scored, reach = scored_candidates(targetable=targetable, offers=offers, existing=existing, rates=rates)
    return plan_audience(campaign=campaign, scored=scored, existing=existing, offers=offers, reach=reach,
                         customers=len(customers), targetable=len(targetable))


def plan_audience(*, campaign: CampaignTarget, scored: pd.DataFrame, existing: pd.DataFrame, offers: pd.DataFrame,
                  reach: Reach, customers: int, targetable: int) -> AttachPlan:
    """Steps 3 and 4, over every customer at once (the audience cap is one ranking): the plan from the scored
    pairs of every targetable customer (``scored_candidates``, in offer order then customer id)."""
    audience = choose_audience(scored, campaign)
    wanted = wanted_rows(scored, audience)
    inserts, expire_ids, rescores, kept = diff_rows(wanted, existing)
    in_audience = audience[audience["in_audience"]]
    counts = {
        "customers": customers,
        "unsegmented": customers - targetable,
        "without_eligible_offer": targetable - len(audience),
        "capped": int((~audience["in_audience"]).sum()),
        "audience": len(in_audience),
        "treated": int((~in_audience["is_control"]).sum()),
        "control": int(in_audience["is_control"].sum()),
        "offers_proposed": int((~inserts["is_control"]).sum()),
        "control_rows_added": int(inserts["is_control"].sum()),
        "kept": kept,
        "rescored": len(rescores),
        "expired": len(expire_ids),
    }
    return AttachPlan(campaign.id, inserts, expire_ids, rescores, counts, reach.unreached(offers))
