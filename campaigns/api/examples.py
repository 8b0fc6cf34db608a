"""Example payloads for the OpenAPI docs (shapes match the serializers; values are illustrative)."""

CAMPAIGN_INPUT = {"name": "Spring wine club", "objective": "cross_sell", "channel": "email", "status": "draft",
                  "starts_on": "2025-04-01", "ends_on": "2025-04-30", "audience_cap": 5000, "control_share": 0.1,
                  "with_default_offers": True}
CAMPAIGN = {"id": 2, **{k: v for k, v in CAMPAIGN_INPUT.items() if k != "with_default_offers"}, "owner": 5,
            "created_at": "2025-03-01T10:00:00Z", "updated_at": "2025-03-01T10:00:00Z"}
CAMPAIGN_PAGE = {"count": 1, "next": None, "previous": None, "results": [CAMPAIGN]}
OFFER_INPUT = {"campaign": 2, "name": "Cellar tasting evening", "target_personas": ["premium"],
               "target_segment_keys": [], "offer_type": "premium_product", "value": "120.00",
               "message": "An evening with our sommelier", "eligibility": {"min_income": 60000},
               "priority": 10, "frequency_cap": 1, "is_active": True}
OFFER = {"id": 4, **OFFER_INPUT, "created_at": "2025-03-01T10:05:00Z"}
OFFER_PAGE = {"count": 1, "next": None, "previous": None, "results": [OFFER]}
ASSIGNMENT = {"id": 981, "campaign": 2, "offer": 4, "customer": 1, "customer_external_id": "5524",
              "segmentation_run": 3, "persona": "premium", "segment_key": 0, "is_control": False,
              "status": "accepted", "score": 37.2, "p_accept": 0.31, "rank": 1, "created_at": "2025-03-01T02:06:00Z",
              "updated_at": "2025-03-04T15:00:00Z", "responded_at": "2025-03-04T15:00:00Z",
              "response_source": "person"}
ASSIGNMENT_PAGE = {"count": 1, "next": None, "previous": None, "results": [ASSIGNMENT]}
ARMS = {"treated": 1800, "control": 200, "accepted_treated": 270, "accepted_control": 18, "treated_rate": 0.15,
        "control_rate": 0.09,
        "lift": {"absolute": 0.06, "ci_low": 0.0097, "ci_high": 0.0966, "relative": 0.667, "significant": True,
                 "small_sample": False, "p_value": 0.0196, "verdict": "significant", "verdict_label": "significant"},
        "incremental_conversions": 108.0}
REPORT = {
    "campaign": 2, "campaign_name": "Spring wine club", **ARMS,
    "by_offer": [{"offer": 4, "name": "Cellar tasting evening", "offer_type": "premium_product", **ARMS}],
    "by_segment": [{"persona": "premium", "segment_key": 0, **ARMS}],
    "segmentation_runs": [3], "current_segmentation_run": 3, "simulated_responses": 0,
    "offers_without_customers": [{"offer": 5, "name": "Half-price weekend",
                                  "reason": "it is aimed at persona deal_oriented, which no segment of the current "
                                            "segmentation has"}],
}
AUDIENCE_CSV = ("customer_external_id,persona,offer,message\n"
                "5524,premium,Cellar tasting evening,An evening with our sommelier\n"
                "'=HYPERLINK(...),deal_oriented,Half-price weekend,'-50% this weekend\n")
CUSTOMER_OFFERS = {
    "customer": 1, "external_id": "5524", "persona": "premium",
    "results": [
        {"assignment": 981, "offer": 4, "name": "Cellar tasting evening", "offer_type": "premium_product",
         "value": "120.00", "message": "An evening with our sommelier", "p_accept": 0.31, "expected_value": 37.2,
         "rank": 1, "campaign_rank": 1, "campaign": 2, "campaign_name": "Spring wine club"},
        {"assignment": 1040, "offer": 6, "name": "Double loyalty points", "offer_type": "loyalty_points",
         "value": "40.00", "message": "Twice the points on everything", "p_accept": 0.22, "expected_value": 8.8,
         "rank": 2, "campaign_rank": 1, "campaign": 3, "campaign_name": "Loyalty month"},
    ],
}
