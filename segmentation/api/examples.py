"""Example payloads for the OpenAPI docs (shapes match the serializers; values are illustrative)."""

SEGMENT = {
    "id": 12, "run": 3, "key": 0, "persona": "premium", "label": "Premium wine lovers", "size": 560, "share": 0.25,
    "profile": {"income": 75210.5, "total_spend": 1320.4, "children": 0.2, "age": 52.1},
    "centroid": [1.21, 1.05, -0.83, 0.34],
}
CUSTOMER = {
    "id": 1, "external_id": "5524", "year_birth": 1957, "education": "Graduation", "marital_status": "Single",
    "income": 58138.0, "kidhome": 0, "teenhome": 0, "dt_customer": "2012-09-04", "recency": 58, "mnt_wines": 635,
    "mnt_fruits": 88, "mnt_meat_products": 546, "mnt_fish_products": 172, "mnt_sweet_products": 88,
    "mnt_gold_prods": 88, "num_deals_purchases": 3, "num_web_purchases": 8, "num_catalog_purchases": 10,
    "num_store_purchases": 4, "num_web_visits_month": 7, "accepted_cmp1": False, "accepted_cmp2": False,
    "accepted_cmp3": False, "accepted_cmp4": False, "accepted_cmp5": False, "complain": False, "response": True,
    "segment": 12, "segment_key": 0, "segment_label": "Premium wine lovers", "persona": "premium",
    "unsegmented_reason": "", "updated_at": "2025-03-01T02:04:11Z", "total_spend": 1617,
}
CUSTOMER_PAGE = {"count": 2240, "next": "https://example.com/api/v1/customers/?page=2", "previous": None,
                 "results": [CUSTOMER]}
HISTORY_PAGE = {
    "count": 2, "next": None, "previous": None,
    "results": [
        {"run": 3, "run_started_at": "2025-03-01T02:00:00Z", "run_is_current": True, "segment": 12, "segment_key": 0,
         "segment_label": "Premium wine lovers", "persona": "premium", "unsegmented_reason": ""},
        {"run": 2, "run_started_at": "2025-02-28T02:00:00Z", "run_is_current": False, "segment": 8, "segment_key": 2,
         "segment_label": "Deal hunters", "persona": "deal_oriented", "unsegmented_reason": ""},
    ],
}
RUN = {
    "id": 3, "job": 41, "algorithm": "kmeans", "params": {"k": None, "seed": 42}, "chosen_k": 4,
    "metrics": [{"k": 4, "silhouette": 0.24, "calinski_harabasz": 612.3, "davies_bouldin": 1.41}],
    "sizes": {"0": 560, "1": 610, "2": 590, "3": 456}, "churn": 0.03, "n_customers": 2240, "n_unsegmented": 24,
    "status": "succeeded", "is_current": True, "trigger": "schedule", "error": "",
    "started_at": "2025-03-01T02:00:00Z", "finished_at": "2025-03-01T02:00:09Z",
}
RUN_PAGE = {"count": 1, "next": None, "previous": None, "results": [RUN]}
RUN_DETAIL = {**RUN, "feature_names": ["income", "total_spend", "children", "age"],
              "centroids": [[1.21, 1.05, -0.83, 0.34]], "segments": [SEGMENT]}
SEGMENT_PAGE = {"count": 1, "next": None, "previous": None, "results": [SEGMENT]}
