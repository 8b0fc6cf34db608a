"""Attachment data between the database and DataFrames: customers, offers, assignment rows and recorded responses
in; a plan's inserts, expiries and re-scores out.

Reads go through ``core.bulk_read.read_frame`` (COPY on PostgreSQL). Writes COPY the new rows straight into the
assignment table and apply expiries and re-scores as one ``UPDATE … FROM`` a staging table each. Updates touch
only rows still pending (proposed), so a response recorded while the job ran is never overwritten.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Max

from campaigns.attach import EXISTING_COLUMNS, EXPIRED, PROPOSED, AttachPlan
from campaigns.ml.ranking import validate_rules
from campaigns.models import Campaign, Offer, OfferAssignment, ResponseRecord
from core.bulk import copy_frame, create_stage, drop_stage, is_postgres, quote
from core.bulk_read import read_frame
from core.errors import UserError
from segmentation.models import Customer, Segment

COUNT_COLUMNS = ("year_birth", "kidhome", "teenhome", "recency", "mnt_wines", "mnt_fruits", "mnt_meat_products",
                 "mnt_fish_products", "mnt_sweet_products", "mnt_gold_prods", "num_deals_purchases",
                 "num_web_purchases", "num_catalog_purchases", "num_store_purchases", "num_web_visits_month")
FLAG_COLUMNS = ("accepted_cmp1", "accepted_cmp2", "accepted_cmp3", "accepted_cmp4", "accepted_cmp5", "complain",
                "response")
# read_frame parses CSV, where an id such as "NA" or "null" would read as missing: a prefix keeps ids as text.
ID_PREFIX = "#"
# A chunked attach's staging table: one row per scored (customer, offer) pair of a campaign; the customer is "id".
SCORED_COLUMNS = {"id": "bigint", "campaign_id": "bigint", "offer_id": "bigint", "external_id": "text",
                  "persona": "text", "segment_key": "integer", "value": "double precision",
                  "p_accept": "double precision", "score": "double precision", "rank": "integer"}


def customers_frame(*, id_range: tuple[int, int] | None = None, ids: np.ndarray | None = None,
                    known_response: bool = False) -> pd.DataFrame:
    """Every customer (of ids ``id_range``, inclusive, or of ``ids``; only those whose file says whether they
    responded, with ``known_response``), in id order, with its persona, segment key and the columns rules and the
    propensity model use; a column the customer's file did not have is missing (NaN, or NA for a flag)."""
    counts = ", ".join(f"c.{quote(name)}" for name in COUNT_COLUMNS)
    flags = ", ".join(f"CAST(c.{quote(name)} AS INTEGER) AS {quote(name)}" for name in FLAG_COLUMNS)
    where = ["c.id BETWEEN %s AND %s"] * (id_range is not None) + ["c.response IS NOT NULL"] * known_response
    if ids is not None:
        where.append(f"c.id IN ({', '.join(str(int(i)) for i in ids)})" if len(ids) else "1 = 0")
    sql = (
        f"SELECT c.id AS customer_id, '{ID_PREFIX}' || c.external_id AS external_id, c.persona, "
        f"s.{quote('key')} AS segment_key, c.income, c.dt_customer, {counts}, {flags} "
        f"FROM {quote(Customer._meta.db_table)} c LEFT JOIN {quote(Segment._meta.db_table)} s ON s.id = c.segment_id "
        f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY c.id"
    )
    frame = read_frame(sql, list(id_range or ()))
    frame["customer_id"] = frame["customer_id"].astype("int64")
    frame["external_id"] = frame["external_id"].astype(str).str.slice(len(ID_PREFIX))
    frame["persona"] = frame["persona"].astype(object).fillna("").astype(str)
    frame["segment_key"] = pd.to_numeric(frame["segment_key"]).astype("Int64")
    frame["income"] = pd.to_numeric(frame["income"]).astype(float)
    frame["dt_customer"] = pd.to_datetime(frame["dt_customer"])
    # A company's file may lack any of these columns (bring your own data): an empty count or flag is unknown,
    # never a made-up zero or "no". Counts stay floats with NaN, flags nullable booleans; the rules and the
    # propensity model decide what unknown means for them (``campaigns.ml.ranking``, ``campaigns.ml.features``).
    for name in COUNT_COLUMNS:
        frame[name] = pd.to_numeric(frame[name]).astype(float)
    for name in FLAG_COLUMNS:
        frame[name] = pd.to_numeric(frame[name]).astype("boolean")
    return frame


def customer_responses() -> pd.DataFrame:
    """Id and response (true/false) of every customer whose file says whether it responded, in id order."""
    frame = read_frame(f"SELECT id, CAST(response AS INTEGER) AS response FROM {quote(Customer._meta.db_table)} "
                       "WHERE response IS NOT NULL ORDER BY id", columns=["id", "response"])
    return pd.DataFrame({"id": pd.to_numeric(frame["id"]).astype("int64").to_numpy(),
                         "response": pd.to_numeric(frame["response"]).astype(bool).to_numpy()})


def customers_last_joined() -> pd.Timestamp | None:
    """The latest join date of any customer: "today" for the propensity model's ages and tenures."""
    last = Customer.objects.aggregate(last=Max("dt_customer"))["last"]
    return None if last is None else pd.Timestamp(last)


def offers_frame(campaign: Campaign) -> pd.DataFrame:
    """The campaign's active offers; an offer with invalid eligibility rules stops the run with a clear message."""
    offers = list(campaign.offers.filter(is_active=True).order_by("priority", "id").values(
        "id", "name", "target_personas", "target_segment_keys", "offer_type", "value", "eligibility", "priority",
        "frequency_cap"))
    for offer in offers:
        try:
            validate_rules(offer["eligibility"] or {})
        except ValueError as exc:
            raise UserError(f"offer {offer['name']!r} (#{offer['id']}) of campaign {campaign.name!r}: {exc}") from None
    frame = pd.DataFrame(offers, columns=["id", "name", "target_personas", "target_segment_keys", "offer_type",
                                          "value", "eligibility", "priority", "frequency_cap"])
    frame = frame.rename(columns={"id": "offer_id"})
    frame["target_personas"] = frame["target_personas"].map(lambda v: list(v or []))
    frame["target_segment_keys"] = frame["target_segment_keys"].map(lambda v: list(v or []))
    frame["eligibility"] = frame["eligibility"].map(lambda v: dict(v or {}))
    frame["value"] = frame["value"].astype(float)
    return frame


def assignments_frame(campaign: Campaign | int, *, id_range: tuple[int, int] | None = None) -> pd.DataFrame:
    """The campaign's assignment rows (of the customers of ids ``id_range``, inclusive) that have not expired: live
    ones, and delivered ones (sent, accepted, declined), which count towards frequency caps. Expired rows are
    history only, so they are not read."""
    names = ", ".join("CAST(is_control AS INTEGER) AS is_control" if name == "is_control" else quote(name)
                      for name in EXISTING_COLUMNS)
    customers = " AND customer_id BETWEEN %s AND %s" if id_range is not None else ""
    frame = read_frame(
        f"SELECT {names} FROM {quote(OfferAssignment._meta.db_table)} WHERE campaign_id = %s AND status <> %s"
        f"{customers} ORDER BY id",
        [getattr(campaign, "pk", campaign), EXPIRED, *(id_range or ())], columns=list(EXISTING_COLUMNS))
    frame = frame.reindex(columns=list(EXISTING_COLUMNS))
    for name in ("id", "customer_id"):
        frame[name] = pd.to_numeric(frame[name]).astype("int64")
    for name in ("offer_id", "segment_key", "rank"):
        frame[name] = pd.to_numeric(frame[name]).astype("Int64")
    for name in ("p_accept", "score"):
        frame[name] = pd.to_numeric(frame[name]).astype(float)
    frame["is_control"] = pd.to_numeric(frame["is_control"]).astype(bool)
    frame["status"] = frame["status"].astype(str)
    frame["persona"] = frame["persona"].astype(object).fillna("").astype(str)
    return frame


def recorded_responses_frame() -> pd.DataFrame:
    """One row per recorded offer outcome (accepted or declined, treated customers only): persona, offer type.
    Simulated responses (the demo's) are left out: made-up answers never shape P(accept)."""
    a, o = quote(OfferAssignment._meta.db_table), quote(Offer._meta.db_table)
    counts = read_frame(
        f"SELECT a.persona, o.offer_type, CASE WHEN a.status = %s THEN 1 ELSE 0 END AS accepted, COUNT(*) AS n "
        f"FROM {a} a JOIN {o} o ON o.id = a.offer_id WHERE a.is_control = %s AND a.status IN (%s, %s) "
        f"AND a.response_source <> %s "
        f"GROUP BY a.persona, o.offer_type, CASE WHEN a.status = %s THEN 1 ELSE 0 END",
        [OfferAssignment.Status.ACCEPTED, False, OfferAssignment.Status.ACCEPTED, OfferAssignment.Status.DECLINED,
         OfferAssignment.ResponseSource.SIMULATION, OfferAssignment.Status.ACCEPTED],
        columns=["persona", "offer_type", "accepted", "n"])
    repeats = pd.to_numeric(counts["n"]).astype("int64").to_numpy() if len(counts) else np.zeros(0, dtype=np.int64)
    rows = counts.loc[counts.index.repeat(repeats), ["persona", "offer_type", "accepted"]].reset_index(drop=True)
    rows["persona"] = rows["persona"].astype(object).fillna("").astype(str)
    rows["accepted"] = pd.to_numeric(rows["accepted"]).astype(bool)
    return rows


def scored_frame(table: str, *, run_id: int, campaign_id: int) -> pd.DataFrame:
    """A campaign's scored (customer, offer) pairs as a chunked attach staged them in ``table``
    (``SCORED_COLUMNS``), typed as ``campaigns.attach.score_candidates`` gives them, in customer then offer order."""
    names = ", ".join(f"'{ID_PREFIX}' || external_id AS external_id" if name == "external_id" else quote(name)
                      for name in SCORED_COLUMNS if name != "campaign_id")
    frame = read_frame(f"SELECT {names} FROM {quote(table)} WHERE run_id = %s AND campaign_id = %s "
                       "ORDER BY id, offer_id", [run_id, campaign_id])
    frame = frame.reindex(columns=[name for name in SCORED_COLUMNS if name != "campaign_id"])
    frame = frame.rename(columns={"id": "customer_id"})
    for name in ("customer_id", "offer_id", "rank"):
        frame[name] = pd.to_numeric(frame[name]).astype("int64")
    for name in ("value", "p_accept", "score"):
        frame[name] = pd.to_numeric(frame[name]).astype(float)
    frame["segment_key"] = pd.to_numeric(frame["segment_key"]).astype("Int64")
    frame["external_id"] = frame["external_id"].astype(str).str.slice(len(ID_PREFIX))
    frame["persona"] = frame["persona"].astype(object).fillna("").astype(str)
    return frame


def _db_timestamp(moment) -> str:
    """A timestamp as the backend stores it, for rows written by COPY or passed as a parameter."""
    adapted = connection.ops.adapt_datetimefield_value(moment)
    return adapted if isinstance(adapted, str) else moment.isoformat()


def _update_pending(cursor, frame: pd.DataFrame, columns: list[str], moment) -> int:
    """Set ``columns`` (and updated_at) of the listed rows that are still proposed; returns rows changed."""
    table = quote(OfferAssignment._meta.db_table)
    stage_name = create_stage(cursor, like_table=OfferAssignment._meta.db_table, columns=["id", *columns])
    copy_frame(cursor, stage_name, frame[["id", *columns]])
    stage = quote(stage_name)
    if is_postgres():
        cursor.execute(f"ANALYZE {stage}")
    assignments = ", ".join(f"{quote(name)} = s.{quote(name)}" for name in columns)
    cursor.execute(
        f"UPDATE {table} SET {assignments}, {quote('updated_at')} = %s FROM {stage} s "
        f"WHERE {table}.id = s.id AND {table}.{quote('status')} = %s",
        [_db_timestamp(moment), PROPOSED],
    )
    changed = cursor.rowcount
    drop_stage(cursor)
    return changed


def plan_publish(plan: AttachPlan, *, segmentation_run_id: int | None, moment) -> dict[str, int]:
    """Write one campaign's plan; call inside the transaction that publishes the run. Returns rows written."""
    written = {"inserted": 0, "expired": 0, "rescored": 0}
    with connection.cursor() as cursor:
        if len(plan.expire_ids):
            expire = pd.DataFrame({"id": plan.expire_ids, "status": EXPIRED})
            written["expired"] = _update_pending(cursor, expire, ["status"], moment)
        if len(plan.rescores):
            rescores = plan.rescores.astype({"id": "int64", "segment_key": "Int64", "rank": "Int64"})
            written["rescored"] = _update_pending(cursor, rescores, ["persona", "segment_key", "p_accept", "score",
                                                                    "rank"], moment)
        if len(plan.inserts):
            copy_frame(cursor, OfferAssignment._meta.db_table, insert_rows(plan, segmentation_run_id, moment))
            written["inserted"] = len(plan.inserts)
    return written


def insert_rows(plan: AttachPlan, segmentation_run_id: int | None, moment) -> pd.DataFrame:
    """The plan's new rows as assignment-table columns: status proposed, stamped with the run that proposed them."""
    rows = plan.inserts
    stamp = _db_timestamp(moment)
    return pd.DataFrame({
        "campaign_id": np.full(len(rows), plan.campaign_id, dtype=np.int64),
        "customer_id": rows["customer_id"].astype("int64").to_numpy(),
        "offer_id": rows["offer_id"].astype("Int64").to_numpy(),
        "segmentation_run_id": pd.array([segmentation_run_id] * len(rows), dtype="Int64"),
        "persona": rows["persona"].astype(str).to_numpy(),
        "segment_key": rows["segment_key"].astype("Int64").to_numpy(),
        "is_control": rows["is_control"].astype(bool).to_numpy(),
        "status": PROPOSED,
        "score": rows["score"].astype(float).to_numpy(),
        "p_accept": rows["p_accept"].astype(float).to_numpy(),
        "rank": rows["rank"].astype("Int64").to_numpy(),
        "created_at": stamp,
        "updated_at": stamp,
    })


def response_records_frame() -> pd.DataFrame:
    """The imported response history (personalisation records) in the shared column names; blanks are missing."""
    frame = read_frame(
        f"SELECT '{ID_PREFIX}' || external_id AS external_id, age, segment, recency, "
        f"CAST(prior_interest AS INTEGER) AS prior_interest, CAST(did_purchase AS INTEGER) AS did_purchase "
        f"FROM {quote(ResponseRecord._meta.db_table)} ORDER BY id",
        columns=["external_id", "age", "segment", "recency", "prior_interest", "did_purchase"])
    frame["external_id"] = frame["external_id"].astype(str).str.slice(len(ID_PREFIX))
    frame["age"] = pd.to_numeric(frame["age"]).astype(float)
    for name in ("segment", "recency"):
        frame[name] = frame[name].astype(object).where(frame[name].notna() & (frame[name] != ""), np.nan)
    for name in ("prior_interest", "did_purchase"):
        frame[name] = pd.to_numeric(frame[name]).astype(bool)
    return frame


def response_targets_frame(*, campaign_ids: list[int], customers: set[str]) -> pd.DataFrame:
    """Non-expired assignments of these campaigns for these customers (by external id), for a response file."""
    columns = ["id", "campaign_id", "customer", "offer_id", "is_control", "status", "rank"]
    if not campaign_ids:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    placeholders = ", ".join(["%s"] * len(campaign_ids))
    frame = read_frame(
        f"SELECT a.id, a.campaign_id, '{ID_PREFIX}' || c.external_id AS customer, a.offer_id, "
        f"CAST(a.is_control AS INTEGER) AS is_control, a.status, a.{quote('rank')} "
        f"FROM {quote(OfferAssignment._meta.db_table)} a "
        f"JOIN {quote(Customer._meta.db_table)} c ON c.id = a.customer_id "
        f"WHERE a.campaign_id IN ({placeholders}) AND a.status <> %s",
        [*campaign_ids, EXPIRED], columns=columns).reindex(columns=columns)
    frame["customer"] = frame["customer"].astype(str).str.slice(len(ID_PREFIX))
    frame = frame[frame["customer"].isin(customers)].copy()
    for name in ("id", "campaign_id"):
        frame[name] = pd.to_numeric(frame[name]).astype("int64")
    for name in ("offer_id", "rank"):
        frame[name] = pd.to_numeric(frame[name]).astype("Int64")
    frame["is_control"] = pd.to_numeric(frame["is_control"]).astype(bool)
    frame["status"] = frame["status"].astype(str)
    return frame


def responses_publish(changes: pd.DataFrame, *, user_id: int | None, moment, source: str) -> int:
    """Set the new statuses (and, for answers, when, by whom and from which ``source``: file, simulation); call
    inside a transaction. Returns rows changed."""
    if changes.empty:
        return 0
    answered = changes["status"].isin([OfferAssignment.Status.ACCEPTED, OfferAssignment.Status.DECLINED])
    stamp = _db_timestamp(moment)
    frame = pd.DataFrame({
        "id": changes["id"].astype("int64"),
        "status": changes["status"].astype(str),
        "responded_at": np.where(answered, stamp, None),
        "responded_by_id": pd.array([user_id if a else None for a in answered], dtype="Int64"),
        "response_source": np.where(answered, source, None),
    })
    table = quote(OfferAssignment._meta.db_table)
    with connection.cursor() as cursor:
        stage_name = create_stage(cursor, like_table=OfferAssignment._meta.db_table, columns=list(frame.columns))
        copy_frame(cursor, stage_name, frame)
        stage = quote(stage_name)
        cursor.execute(
            f"UPDATE {table} SET {quote('status')} = s.{quote('status')}, "
            f"responded_at = COALESCE(s.responded_at, {table}.responded_at), "
            f"responded_by_id = COALESCE(s.responded_by_id, {table}.responded_by_id), "
            f"response_source = COALESCE(s.response_source, {table}.response_source), {quote('updated_at')} = %s "
            f"FROM {stage} s WHERE {table}.id = s.id AND {table}.{quote('status')} <> %s",
            [_db_timestamp(moment), EXPIRED],
        )
        changed = cursor.rowcount
        drop_stage(cursor)
    return changed
