"""The re-score as a chunked stage (core.chunks): every worker scores id ranges of the leads to score and stages
the changed ones; the run then explains the best-scored and queued leads and publishes everything in one
transaction. Used when tasks go through a broker (one or more workers); in-process (no broker) the re-score
scores and publishes in one pass instead (``leads.services._score_and_publish``), overlapping the database's
writes with the scoring on the two cores, which a run spread over workers cannot do.

Both give the same scores, tiers, history rows and factors: a chunk compares with the values it reads, as the
one-pass re-score does, and the best-scored leads of the whole run are among the best-scored of their chunk.
"""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from core.chunks import Chunk, chunk_stage, chunks_run, id_ranges_of, staging_clear, staging_create, staging_replace
from core.job_runs import job_fence
from core.models import JobRun
from leads import ml
from leads.models import Lead, ScoringModel
from leads.score_writer import ScoreWriter
from leads.selectors import leads_frame

STAGE_TABLE = "leads_rescore_stage"


def rescore_in_chunks(*, job: JobRun, champion: ScoringModel, current: ml.TierThresholds, since,
                      tracker) -> dict:
    """Score and publish the leads to score in chunks; the run's counts (scored, changed, tiers scored)."""
    from leads.services import _leads_to_score

    where, params = _leads_to_score(champion, since)
    staging_create(STAGE_TABLE, {"id": "bigint", "score": "double precision", "tier": "varchar(8)"})
    ranges = id_ranges_of(Lead._meta.db_table, where, params)
    tracker.progress(f"scoring {len(ranges)} chunks of leads", 0.1)
    results = chunks_run(job=job, stage=RESCORE, ranges=ranges, params={
        "model": champion.pk, "since": since.isoformat() if since else None,
        "hot": current.hot, "warm": current.warm},
        progress=lambda done, total: tracker.progress(f"scored {done} of {total} chunks", 0.1 + 0.6 * done / total))
    from leads.services import _factors_in_words, _one_thread_if

    model, explained = _to_explain(champion, results)
    tracker.progress("publishing and explaining the best-scored and queued leads", 0.75)
    with transaction.atomic(), ScoreWriter(model_id=champion.pk, scored_at=timezone.now()) as writer:
        job_fence(job)  # a run found dead and replaced meanwhile publishes nothing
        writer.publish_staged(STAGE_TABLE, run_id=job.pk)  # on the writer's thread, while this one explains
        with _one_thread_if(writer.busy):
            words = _factors_in_words(model, explained, np.arange(len(explained)), current)
        writer.write_factors(pd.DataFrame({"id": explained["id"].to_numpy(), "factors": words}))
    with transaction.atomic():
        staging_clear(STAGE_TABLE)
    tiers: dict[str, int] = {}
    for result in results:
        for tier, count in result["tiers"].items():
            tiers[tier] = tiers.get(tier, 0) + count
    return {"scored": sum(r["scored"] for r in results), "changed": writer.rescored, "tiers": tiers}


def _rescore_chunk(chunk: Chunk) -> dict:
    """Score one id range; stage its leads with a new score, tier or model. Returns counts and the candidates
    for explanation: the chunk's best-scored leads (id, probability, needs factors) and its queued leads that
    need factors."""
    from leads.services import CURRENT_SCORE_COLUMNS, EXPLAINED_PER_RUN, _leads_to_score, _model_cached, _rescored

    champion = ScoringModel.objects.get(pk=chunk.params["model"])
    model = _model_cached(champion.artifact, champion.checksum)
    since = datetime.fromisoformat(chunk.params["since"]) if chunk.params["since"] else None
    where, params = _leads_to_score(champion, since)
    frame = leads_frame(where + " AND id BETWEEN %s AND %s", extra_columns=CURRENT_SCORE_COLUMNS,
                        params=[*params, chunk.low, chunk.high], columns=("id",),
                        features=ml.feature_spec_of(model).columns)
    batch = ml.score_leads(model, frame, thresholds=ml.TierThresholds(chunk.params["hot"], chunk.params["warm"]))
    changed = _rescored(frame, batch, champion.pk)
    ids = frame["id"].to_numpy()
    staging_replace(STAGE_TABLE, chunk, pd.DataFrame({"id": ids[changed], "score": batch.scores[changed],
                                                      "tier": batch.tiers[changed]}))
    needs = changed | ~frame["has_factors"].astype(bool).to_numpy()
    best = ml.best_scored(batch.probabilities, min(EXPLAINED_PER_RUN, len(frame)))
    owned = np.flatnonzero(frame["owned"].astype(bool).to_numpy() & needs)
    names, counts = np.unique(batch.tiers, return_counts=True)
    return {"scored": len(frame), "tiers": {str(name): int(count) for name, count in zip(names, counts)},
            "best": [[int(ids[p]), float(batch.probabilities[p]), bool(needs[p])] for p in best],
            "owned": [int(ids[p]) for p in owned]}


RESCORE = chunk_stage("leads.rescore", work=_rescore_chunk)


def _to_explain(champion: ScoringModel, results: list[dict]) -> tuple[object, pd.DataFrame]:
    """The model and the leads to explain in words: the run's best-scored and its queued leads that need factors
    (as the one-pass re-score picks them: the best of the whole run, earlier id first on ties)."""
    from leads.services import EXPLAINED_PER_RUN, _model_cached

    best = [row for result in results for row in result["best"]]  # id order: ranges and chunks are in id order
    probabilities = np.array([row[1] for row in best], dtype=float)
    top = ml.best_scored(probabilities, min(EXPLAINED_PER_RUN, sum(r["scored"] for r in results)))
    ids = {best[p][0] for p in top if best[p][2]} | {i for result in results for i in result["owned"]}
    model = _model_cached(champion.artifact, champion.checksum)
    where = f"WHERE id IN ({', '.join(str(int(i)) for i in sorted(ids))})" if ids else "WHERE false"
    return model, leads_frame(where, features=ml.feature_spec_of(model).columns)
