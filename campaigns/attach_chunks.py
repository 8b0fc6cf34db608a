"""Offer attachment as a chunked stage (core.chunks), used when tasks go through a broker (one or more workers).

1. The run reads what is global: the acceptance rates of recorded responses, the campaigns' offers, and fits the
   base propensity on every customer's response history as ``campaigns.attach_propensity.propensity_fit`` does (reading
   whole rows only of the seeded training sample), with the model's "today" fixed at the last join date of every
   customer. It stages them once for the chunks (``INPUTS_TABLE``: one row, pickled and signed with an HMAC of
   the project's SECRET_KEY; a worker loads only a row whose signature holds, so a row written by anything but a
   run of this project is refused, never unpickled).
2. Every worker takes id ranges of the customers: it reads them, applies the propensity, and for every campaign
   builds the candidates, eligibility, frequency caps (the campaign's rows of those customers), P(accept),
   expected value and rank per customer (``campaigns.attach.scored_candidates``), stages the scored pairs
   (``SCORE_TABLE``) and returns what the report needs (customers, targetable, ``Reach``).
3. The run reads each campaign's scored pairs back, in the one-pass order (offer, then customer), and plans what is
   global (``campaigns.attach.plan_audience``: the audience cap is one ranking over every customer, the control
   group, the diff against the campaign's rows). ``services._attach`` publishes the plans in one fenced
   transaction, which also empties both staging tables (``staged_clear``).

In-process (no broker) the one-pass attach runs instead (``services._plans_in_one_pass``). Both give the same
assignments: every step a chunk takes depends on its own customers only, with the same inputs.
"""
from __future__ import annotations

import base64
import hmac
import pickle
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils.crypto import salted_hmac

from campaigns.attach import (BASE_COLUMN, AttachRun, CampaignTarget, Reach, plan_audience, scored_candidates,
                              targetable_customers)
from campaigns.attach_propensity import (HISTORY_COLUMNS, Propensity, can_train, propensity_fit, propensity_trained,
                                         training_sample)
from campaigns.frames import (SCORED_COLUMNS, assignments_frame, customer_responses, customers_frame,
                              customers_last_joined, offers_frame, recorded_responses_frame, scored_frame)
from campaigns.ml.propensity import CUSTOMER_TARGET
from campaigns.ml.smoothing import AcceptanceRates, acceptance_rates
from campaigns.models import Campaign
from core.bulk import quote
from core.chunks import Chunk, chunk_stage, chunks_run, id_ranges_of, staging_clear, staging_create, staging_replace
from core.job_runs import JobTracker
from core.models import JobRun
from segmentation.models import Customer

SCORE_TABLE = "campaigns_attach_stage"
INPUTS_TABLE = "campaigns_attach_inputs"


@dataclass(frozen=True, eq=False)
class AttachInputs:
    """What every chunk of one run works from, read once by the run."""

    propensity: Propensity
    rates: AcceptanceRates | None
    offers: dict[int, pd.DataFrame]


def plans_in_chunks(*, job: JobRun, campaigns: list[Campaign], tracker: JobTracker,
                    lap: Callable[[str], None]) -> AttachRun:
    """The plan of every campaign, its customers scored chunk by chunk over the workers (see above)."""
    tracker.progress("reading responses and customers' history", 0.02)
    recorded = recorded_responses_frame()
    rates = acceptance_rates(recorded) if len(recorded) else None
    offers = {campaign.pk: offers_frame(campaign) for campaign in campaigns}
    lap("read responses and offers")
    tracker.progress("training propensity", 0.1)
    propensity, report = _propensity(rates)
    inputs = AttachInputs(propensity.as_of(customers_last_joined()), rates, offers)
    lap("train propensity")
    staging_create(SCORE_TABLE, SCORED_COLUMNS)
    staging_create(INPUTS_TABLE, {"id": "bigint", "inputs": "text"})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(INPUTS_TABLE)} (run_id, id, inputs) VALUES (%s, 0, %s)",
                       [job.pk, _sealed(inputs)])
    ranges = id_ranges_of(Customer._meta.db_table)
    tracker.progress(f"scoring {len(ranges)} chunks of customers", 0.2)
    results = chunks_run(
        job=job, stage=SCORE, ranges=ranges, params={},
        progress=lambda done, total: tracker.progress(f"scored {done} of {total} chunks", 0.2 + 0.5 * done / total))
    lap("score customers in chunks")
    customers, targetable = sum(r["customers"] for r in results), sum(r["targetable"] for r in results)
    plans = []
    for index, campaign in enumerate(campaigns):
        tracker.progress(f"planning campaign #{campaign.pk}", 0.7 + 0.15 * index / len(campaigns))
        reach = Reach.merged([Reach(**result["reach"][str(campaign.pk)]) for result in results])
        plans.append(plan_audience(
            campaign=CampaignTarget(campaign.pk, campaign.control_share, campaign.audience_cap),
            scored=_in_offer_order(scored_frame(SCORE_TABLE, run_id=job.pk, campaign_id=campaign.pk),
                                   offers[campaign.pk]),
            existing=assignments_frame(campaign), offers=offers[campaign.pk], reach=reach, customers=customers,
            targetable=targetable))
    lap("plan audiences")
    return AttachRun(plans=plans, customers=customers, propensity=report, recorded=len(recorded))


def _propensity(rates: AcceptanceRates | None) -> tuple[Propensity, dict]:
    """``propensity_fit`` on every customer's history, reading whole rows only of the customers it trains on
    (the seeded sample) when there is enough history to train."""
    responses = customer_responses()
    if not can_train(len(responses), int(responses["response"].sum())):
        return propensity_fit(customers_frame(known_response=True), rates)
    ids = responses["id"].to_numpy()[training_sample(len(responses))]
    sample = customers_frame(ids=ids).set_index("customer_id", drop=False).loc[ids]
    return propensity_trained(sample[list(HISTORY_COLUMNS)].astype({CUSTOMER_TARGET: bool}),
                              customers=len(responses))


def staged_clear() -> None:
    """Empty both staging tables; call inside the transaction that publishes the run."""
    staging_clear(SCORE_TABLE)
    staging_clear(INPUTS_TABLE)


def _score_chunk(chunk: Chunk) -> dict:
    """Score the customers of one id range for every campaign and stage the pairs; customers, targetable and
    each campaign's ``Reach``."""
    inputs = _inputs(chunk.run_id)
    customers = customers_frame(id_range=(chunk.low, chunk.high))
    customers[BASE_COLUMN] = inputs.propensity.of(customers)
    targetable = targetable_customers(customers)
    staged, reach = [], {}
    for campaign_id, offers in inputs.offers.items():
        existing = assignments_frame(campaign_id, id_range=(chunk.low, chunk.high))
        scored, reach[str(campaign_id)] = scored_candidates(targetable=targetable, offers=offers, existing=existing,
                                                            rates=inputs.rates)
        staged.append(scored.rename(columns={"customer_id": "id"}).assign(campaign_id=campaign_id))
    rows = pd.concat(staged, ignore_index=True) if staged else pd.DataFrame(columns=list(SCORED_COLUMNS))
    staging_replace(SCORE_TABLE, chunk, rows[list(SCORED_COLUMNS)])
    return {"customers": len(customers), "targetable": len(targetable),
            "reach": {campaign_id: asdict(part) for campaign_id, part in reach.items()}}


SCORE = chunk_stage("campaigns.attach", work=_score_chunk)

_read: dict[int, AttachInputs] = {}  # the last run's inputs, so a worker taking many chunks reads them once


def _inputs(run_id: int) -> AttachInputs:
    if run_id not in _read:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT inputs FROM {quote(INPUTS_TABLE)} WHERE run_id = %s", [run_id])
            (text,) = cursor.fetchone()
        _read.clear()
        _read[run_id] = _unsealed(text)
    return _read[run_id]


_SEAL_SALT = "campaigns.attach_chunks.inputs"


def _sealed(inputs: AttachInputs) -> str:
    """The inputs pickled, as "signature:base64" (HMAC-SHA256 keyed by SECRET_KEY)."""
    blob = pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL)
    return f"{salted_hmac(_SEAL_SALT, blob, algorithm='sha256').hexdigest()}:{base64.b64encode(blob).decode()}"


def _unsealed(text: str) -> AttachInputs:
    signature, _, encoded = text.partition(":")
    blob = base64.b64decode(encoded)
    if not hmac.compare_digest(signature, salted_hmac(_SEAL_SALT, blob, algorithm="sha256").hexdigest()):
        raise ValueError("the attach run's staged inputs fail their signature check: not loaded")
    return pickle.loads(blob)  # signed by a run of this project (above)


def _in_offer_order(scored: pd.DataFrame, offers: pd.DataFrame) -> pd.DataFrame:
    """The pairs in the order one pass scores them: by offer (the campaign's offer order), then customer id."""
    position = pd.Series(np.arange(len(offers)), index=offers["offer_id"].to_numpy())
    order = np.lexsort((scored["customer_id"].to_numpy(), position.reindex(scored["offer_id"]).to_numpy()))
    return scored.iloc[order].reset_index(drop=True)
