"""Reads: the current run, a customer's segment history, the export rows."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from segmentation.models import SegmentationRun
from segmentation.personas import DEAL_ORIENTED, PREMIUM, VALUE_FAMILY
from segmentation.selectors import current_run, customer_segment_history, segment_export_rows
from tests.factories import CustomerFactory
from tests.factories import MembershipFactory, SegmentationRunFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def test_current_run_is_none_before_a_run_has_succeeded():
    SegmentationRunFactory(status=SegmentationRun.Status.FAILED, error="boom")

    assert current_run() is None


def test_current_run_is_the_run_marked_current():
    SegmentationRunFactory()
    current = SegmentationRunFactory(is_current=True)
    SegmentationRunFactory(status=SegmentationRun.Status.FAILED)

    assert current_run() == current


def test_segment_history_lists_runs_newest_first_in_one_query():
    customer = CustomerFactory()
    older, newer = SegmentationRunFactory(), SegmentationRunFactory(is_current=True)
    MembershipFactory(run=older, customer=customer, segment=SegmentFactory(run=older, label="value · a"),
                      persona=VALUE_FAMILY)
    MembershipFactory(run=newer, customer=customer, segment=SegmentFactory(run=newer, label="premium · b"),
                      persona=PREMIUM)
    MembershipFactory(run=newer)  # someone else

    with CaptureQueriesContext(connection) as queries:
        history = [(m.run_id, m.segment.label, m.run.is_current) for m in customer_segment_history(customer=customer)]

    assert history == [(newer.pk, "premium · b", True), (older.pk, "value · a", False)]
    assert len(queries) == 1


def test_export_rows_cover_every_customer_of_the_current_run_in_id_order():
    run = SegmentationRunFactory(is_current=True)
    premium = SegmentFactory(run=run, label="premium · catalog")
    first, second = CustomerFactory(external_id="A1"), CustomerFactory(external_id="B2")
    MembershipFactory(run=run, customer=second, segment=premium, persona=PREMIUM)
    MembershipFactory(run=run, customer=first, segment=premium, persona=PREMIUM)
    MembershipFactory(run=SegmentationRunFactory(), customer=first)  # an older run

    rows = list(segment_export_rows())

    assert rows == [("A1", "premium · catalog", PREMIUM, run.pk), ("B2", "premium · catalog", PREMIUM, run.pk)]


def test_export_rows_label_unsegmented_customers_with_their_reason():
    run = SegmentationRunFactory(is_current=True)
    outlier = CustomerFactory(external_id="X9")
    MembershipFactory(run=run, customer=outlier, persona=DEAL_ORIENTED, unsegmented_reason="outlier")

    assert list(segment_export_rows(run=run)) == [("X9", "unsegmented: outlier", DEAL_ORIENTED, run.pk)]


def test_export_rows_of_an_older_run_when_asked():
    older = SegmentationRunFactory()
    SegmentationRunFactory(is_current=True)
    MembershipFactory(run=older, customer=CustomerFactory(external_id="C3"),
                      segment=SegmentFactory(run=older, label="value / family · fruit"), persona=VALUE_FAMILY)

    assert list(segment_export_rows(run=older)) == [("C3", "value / family · fruit", VALUE_FAMILY, older.pk)]


def test_export_rows_are_empty_before_the_first_run():
    CustomerFactory()

    assert list(segment_export_rows()) == []
