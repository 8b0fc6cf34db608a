"""Example payloads for the OpenAPI docs (shapes match the serializers; values are illustrative)."""

FACTORS = {"up": ["Completed most of the profile", "Spent 25 minutes on the website"],
           "down": ["First contact through the mobile app"]}
LEAD_INPUT = {
    "external_id": "EXT001", "age": 57, "current_occupation": "Unemployed", "first_interaction": "Website",
    "profile_completed": "High", "website_visits": 7, "time_spent_on_website": 1639, "page_views_per_visit": 1.861,
    "last_activity": "Website Activity", "print_media_type1": True, "print_media_type2": False,
    "digital_media": True, "educational_channels": False, "referral": False,
}
LEAD = {
    "id": 1, **LEAD_INPUT, "status": None, "owner": 7, "owner_username": "rep1", "stage": "contacted",
    "score": 82.4, "tier": "hot", "factors": FACTORS, "scoring_model": 3, "scored_at": "2025-03-01T02:10:00Z",
    "last_activity_at": "2025-03-01T09:15:00Z", "created_at": "2025-02-01T10:00:00Z",
    "updated_at": "2025-03-01T09:15:00Z",
}
LEAD_PAGE = {"count": 1, "next": None, "previous": None, "results": [LEAD]}
QUEUE_PAGE = {
    "next": "https://example.com/api/v1/leads/queue/?cursor=WzAsIDgyLjQsIHsidCI6ICIyMDI1In0sIDFd",
    "previous": None,
    "results": [{key: LEAD[key] for key in (
        "id", "external_id", "age", "current_occupation", "first_interaction", "profile_completed", "website_visits",
        "time_spent_on_website", "page_views_per_visit", "last_activity", "stage", "score", "tier",
        "last_activity_at")}],
}
LEAD_SCORES = {
    "lead": 1, "score": 82.4, "tier": "hot", "factors": FACTORS, "scored_at": "2025-03-01T02:10:00Z",
    "count": 2, "next": None, "previous": None,
    "results": [
        {"score": 82.4, "tier": "hot", "scored_at": "2025-03-01T02:10:00Z", "scoring_model": 3, "model_version": 3},
        {"score": 64.0, "tier": "warm", "scored_at": "2025-02-28T02:10:00Z", "scoring_model": 2, "model_version": 2},
    ],
}
MODEL = {
    "id": 3, "version": 3, "algorithm": "HistGradientBoostingClassifier",
    "features": ["age", "current_occupation", "first_interaction", "profile_completed", "website_visits"],
    "params": {"learning_rate": 0.1}, "metrics": {"roc_auc": 0.93, "average_precision": 0.86, "brier": 0.09},
    "drivers": {"importance": {"time_spent_on_website": 0.21, "first_interaction": 0.17}},
    "training_rows": 3690, "training_window_start": "2024-03-01T00:00:00Z",
    "training_window_end": "2025-03-01T00:00:00Z", "checksum": "5f2b…", "is_champion": False,
    "decision": "challenger: ROC AUC 0.93 vs champion 0.92, not better by the 0.01 margin", "job": 40,
    "created_at": "2025-03-01T02:05:00Z",
}
MODEL_PAGE = {"count": 1, "next": None, "previous": None, "results": [MODEL]}
