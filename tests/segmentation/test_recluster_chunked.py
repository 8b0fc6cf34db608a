"""The re-cluster spread over workers (segmentation.recluster_chunks on core.chunks), run here in-process chunk by
chunk: fitted on the whole table, it publishes what the one-pass re-cluster publishes."""
import pytest

from core.chunks import ChunkFailed
from segmentation import recluster_chunks
from segmentation.models import Customer, SegmentationRun
from segmentation.services import customers_recluster
from tests.segmentation.factories import REAL_CUSTOMERS, import_real_customers

pytestmark = pytest.mark.django_db


@pytest.fixture
def chunked(monkeypatch, settings):
    """Re-clusters take the chunked path, in five chunks, fitted on every customer."""
    monkeypatch.setattr("segmentation.services._spread_over_workers", lambda: True)
    settings.JOB_CHUNKS = 5
    settings.RECLUSTER_FIT_SAMPLE = 100
    monkeypatch.setattr(recluster_chunks, "fit_sample", lambda ids, seed: ids)


def published(run: SegmentationRun) -> dict:
    return {
        "run": (run.chosen_k, run.sizes, run.n_customers, run.n_unsegmented, run.churn),
        "segments": sorted((s.key, s.persona, s.label, s.size, s.share, s.profile) for s in run.segments.all()),
        "members": sorted((m.customer_id, m.segment.key if m.segment else None, m.persona, m.unsegmented_reason)
                          for m in run.memberships.select_related("segment")),
        "customers": sorted((c.pk, c.segment.key if c.segment else None, c.persona, c.unsegmented_reason)
                            for c in Customer.objects.select_related("segment")),
    }


def test_chunked_and_one_pass_reclusters_publish_the_same(chunked, monkeypatch):
    import_real_customers()
    first_chunked = customers_recluster(k=3)
    nightly_chunked = customers_recluster(k=3)
    chunked_state = [published(first_chunked), published(nightly_chunked)]
    SegmentationRun.objects.all().delete()
    Customer.objects.update(segment=None, persona="", unsegmented_reason="")
    monkeypatch.setattr("segmentation.services._spread_over_workers", lambda: False)

    one_pass = [published(customers_recluster(k=3)), published(customers_recluster(k=3))]

    assert chunked_state == one_pass
    assert first_chunked.n_customers == REAL_CUSTOMERS and nightly_chunked.churn == 0.0
    assert sorted(first_chunked.sizes.values()) == [513, 736, 991]


def test_a_failed_chunk_publishes_nothing_and_the_previous_run_stays_current(chunked, monkeypatch):
    import_real_customers()
    previous = customers_recluster(k=3)
    before = sorted(Customer.objects.values_list("id", "segment_id", "persona"))

    def broken(fitted, customers):
        raise OSError("disk full")

    monkeypatch.setattr(recluster_chunks, "assign_customers", broken)
    with pytest.raises((OSError, ChunkFailed)):  # in-process the chunk's own error; from a worker ChunkFailed
        customers_recluster(k=4)

    assert SegmentationRun.objects.get(is_current=True) == previous
    assert sorted(Customer.objects.values_list("id", "segment_id", "persona")) == before
    failed = SegmentationRun.objects.exclude(pk=previous.pk).get()
    assert (failed.status, failed.memberships.count(), failed.segments.count()) == ("failed", 0, 0)
