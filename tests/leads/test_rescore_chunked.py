"""The re-score spread over workers (leads.rescore on core.chunks), run here in-process chunk by chunk: the same
scores, tiers, history and factors as the one-pass re-score, and the re-score tests hold for it too."""
import pytest

from core import chunks
from core.models import JobRun
from leads.models import Lead, LeadScore
from leads.services import leads_rescore
from tests.leads.test_services import (  # noqa: F401  (the tests run again, chunked)
    test_a_lead_explained_later_gets_its_factors_but_no_new_score_or_history,
    test_a_new_champion_or_new_thresholds_rescore_every_open_lead,
    test_incremental_rescore_reads_only_leads_that_could_score_differently,
    test_leads_in_a_queue_are_explained_and_any_other_lead_on_demand,
    test_rescore_writes_history_only_for_leads_whose_score_changed,
)


@pytest.fixture(autouse=True)
def chunked(monkeypatch, settings):
    """Every re-score takes the chunked path, in at least five chunks."""
    monkeypatch.setattr("leads.services.spread_over_workers", lambda: True)
    settings.JOB_CHUNKS = 5


def _published() -> dict:
    return {pk: (score, tier, factors) for pk, score, tier, factors in
            Lead.objects.values_list("id", "score", "tier", "factors")}


def test_chunked_and_one_pass_rescores_publish_the_same(generated_leads_with_champion, monkeypatch):
    monkeypatch.setattr("leads.services.EXPLAINED_PER_RUN", 9)
    chunked_run = leads_rescore(full=True)
    chunked = _published()
    Lead.objects.update(score=None, tier="", scoring_model=None, factors={})
    LeadScore.objects.all().delete()
    monkeypatch.setattr("leads.services.spread_over_workers", lambda: False)

    one_pass_run = leads_rescore(full=True)

    assert _published() == chunked
    assert LeadScore.objects.count() == chunked_run.counts["changed"] == one_pass_run.counts["changed"] > 300
    keys = ("scored", "open", "hot", "warm", "cold")
    assert {k: chunked_run.counts[k] for k in keys} == {k: one_pass_run.counts[k] for k in keys}


def test_a_failed_chunk_publishes_nothing(generated_leads_with_champion, monkeypatch):
    from leads import rescore

    work, calls = rescore._rescore_chunk, []

    def fail_on_the_third_chunk(chunk):
        calls.append(chunk.number)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return work(chunk)

    monkeypatch.setitem(chunks._STAGES, "leads.rescore", chunks.ChunkStage("leads.rescore", fail_on_the_third_chunk))

    with pytest.raises(RuntimeError, match="disk full"):
        leads_rescore()

    assert calls == [0, 1, 2]
    assert not Lead.objects.filter(score__isnull=False).exists()
    assert not LeadScore.objects.exists()
    assert JobRun.objects.get(kind=JobRun.Kind.RESCORE_LEADS).status == JobRun.Status.FAILED
