"""What each role may do on customers and segments (registered with core.roles from SegmentationConfig.ready), and
the role sets the API's views gate with."""
from __future__ import annotations

from core.roles import ANALYST, MARKETER, VIEW, VIEW_ACTION, register_grants, roles_allowed

GRANTS = {
    MARKETER: {"customer": VIEW, "segment": VIEW, "segmentationrun": VIEW, "segmentmembership": VIEW},
    ANALYST: {"customer": VIEW, "segment": VIEW, "segmentationrun": ("view", "change"), "segmentmembership": VIEW},
}

CUSTOMER_READERS = roles_allowed("segmentation.customer", VIEW_ACTION)


def register_roles() -> None:
    register_grants("segmentation", GRANTS)
