"""Mappings, pure: suggestions from headers and synonyms, units, value translations, attribute kinds and JSON."""
import json

import pandas as pd
import pytest

from campaigns.importers import RESPONSE_SPEC
from core import attributes
from core.mapping import (
    Mapping, MappingError, attribute_key, check_mapping, is_sample_layout, split_unit, suggest_mapping,
)
from leads.importers import LEAD_SPEC
from segmentation.importers import CUSTOMER_SPEC

FOREIGN_LEAD_HEADERS = [
    "Prospect ID", "Lead Number", "Lead Origin", "Do Not Email", "Converted", "TotalVisits",
    "Total Time Spent on Website", "Page Views Per Visit", "Last Activity", "What is your current occupation",
    "Lead Created",
]


def test_foreign_lead_headers_map_to_fields_by_synonym_and_the_rest_to_attributes():
    mapping = suggest_mapping(FOREIGN_LEAD_HEADERS, LEAD_SPEC)

    assert mapping.columns == {
        "Prospect ID": "external_id",
        "Lead Number": "attr:lead_number",
        "Lead Origin": "attr:lead_origin",
        "Do Not Email": "attr:do_not_email",
        "Converted": "status",
        "TotalVisits": "website_visits",
        "Total Time Spent on Website": "time_spent_on_website",
        "Page Views Per Visit": "page_views_per_visit",
        "Last Activity": "last_activity",
        "What is your current occupation": "current_occupation",
        "Lead Created": "attr:lead_created",
    }
    assert mapping.units == {} and mapping.values == {}


def test_shop_customer_file_maps_income_in_thousands_and_keeps_age_and_score_as_attributes():
    headers = ["CustomerID", "Genre", "Age", "Annual Income (k$)", "Spending Score (1-100)"]

    mapping = suggest_mapping(headers, CUSTOMER_SPEC)

    assert mapping.columns == {"CustomerID": "external_id", "Genre": "attr:genre", "Age": "attr:age",
                               "Annual Income (k$)": "income", "Spending Score (1-100)": "attr:spending_score_1_100"}
    assert mapping.units == {"income": 1000.0}


def test_age_maps_to_the_field_where_the_entity_has_one():
    assert suggest_mapping(["Customer ID", "Age", "Purchased"], RESPONSE_SPEC).columns == {
        "Customer ID": "external_id", "Age": "age", "Purchased": "did_purchase"}


def test_a_header_matching_a_field_exactly_wins_over_a_synonym_of_it():
    # "ID" is the leads file's own id header; "Prospect ID" only a synonym, so it becomes an attribute
    mapping = suggest_mapping(["Prospect ID", "ID"], LEAD_SPEC)

    assert mapping.columns == {"Prospect ID": "attr:prospect_id", "ID": "external_id"}


def test_sample_headers_in_other_case_and_spacing_map_to_their_fields():
    mapping = suggest_mapping(["id", "Current Occupation", "WEBSITE_VISITS"], LEAD_SPEC)

    assert mapping.columns == {"id": "external_id", "Current Occupation": "current_occupation",
                               "WEBSITE_VISITS": "website_visits"}


def test_value_translations_are_suggested_for_the_values_the_file_has():
    sample = pd.DataFrame({
        "ID": ["1", "2", "3", "4"],
        "Occupation": ["Working Professional", "Student", "unemployed", "Housewife"],
        "Last Activity": ["Email Opened", "SMS Sent", "Email Opened", ""],
    })

    mapping = suggest_mapping(list(sample.columns), LEAD_SPEC, sample)

    assert mapping.values == {"current_occupation": {"Working Professional": "Professional"},
                              "last_activity": {"Email Opened": "Email Activity"}}


def test_ignored_headers_of_the_spec_map_to_nothing():
    assert suggest_mapping(["ID", "Z_Revenue"], CUSTOMER_SPEC).columns == {"ID": "external_id", "Z_Revenue": ""}


@pytest.mark.parametrize(
    ("header", "expected"),
    [("Annual Income (k$)", ("Annual Income", "k$")), ("Spending Score [1-100]", ("Spending Score", "1-100")),
     ("Income", ("Income", "")), ("(k$)", ("(k$)", ""))],
)
def test_split_unit(header, expected):
    assert split_unit(header) == expected


@pytest.mark.parametrize(
    ("header", "key"),
    [("Spending Score (1-100)", "spending_score_1_100"), ("Do Not Email", "do_not_email"), ("  ", "column"),
     ("Über-Kunde #", "ber_kunde")],
)
def test_attribute_key_is_a_slug_of_the_header(header, key):
    assert attribute_key(header) == key


def test_two_headers_with_the_same_slug_get_distinct_keys():
    mapping = suggest_mapping(["ID", "Do Not Email", "do-not email"], LEAD_SPEC)

    assert mapping.columns == {"ID": "external_id", "Do Not Email": "attr:do_not_email",
                               "do-not email": "attr:do_not_email_2"}


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["Yes", "No", ""], "boolean"),
        (["y", "n", "Y"], "boolean"),
        (["0", "1", "1"], "boolean"),
        (["true", "FALSE"], "boolean"),
        (["3", "2.5", "NA", "-1e3"], "number"),
        (["2024-01-31", "2024-02-01", ""], "date"),
        (["31/01/2024", "01/02/2024"], "date"),
        (["2024-01-31", "2024-02-30"], "category"),
        (["India", "12"], "category"),
        (["", ""], "category"),
    ],
)
def test_attribute_kind_is_inferred_from_every_value(values, kind):
    assert attributes.infer_kind(pd.Series(values)) == kind


def test_mapping_json_round_trips():
    mapping = Mapping(columns={"Prospect ID": "external_id", "Tags": ""}, values={"status": {"Won": "yes"}},
                      units={"income": 1000.0})

    assert Mapping.from_json(json.dumps(mapping.to_json())) == mapping


def test_plain_header_to_field_json_is_a_columns_only_mapping():
    assert Mapping.from_json('{"Lead Ref": "external_id"}') == Mapping(columns={"Lead Ref": "external_id"})


@pytest.mark.parametrize(
    ("text", "message"),
    [("{not json", "not valid JSON"), ("[1]", "a JSON object"), ('{"units": {"income": "lots"}}', "must be a number")],
)
def test_unreadable_mapping_json_says_why(text, message):
    with pytest.raises(MappingError, match=message):
        Mapping.from_json(text)


def test_a_target_that_is_no_field_is_refused_with_the_choices():
    with pytest.raises(MappingError, match="'Ref' is mapped to 'identifier', which is not a field of leads"):
        check_mapping(Mapping(columns={"Ref": "identifier"}), LEAD_SPEC)


def test_two_columns_on_one_field_are_refused():
    with pytest.raises(MappingError, match="'A' and 'B' are both mapped to 'external_id'"):
        check_mapping(Mapping(columns={"A": "external_id", "B": "external_id"}), LEAD_SPEC)


def test_attribute_targets_are_normalised_to_keys():
    checked = check_mapping(Mapping(columns={"ID": "external_id", "Lead Score": "attr:Lead Score"}), LEAD_SPEC)

    assert checked.columns == {"ID": "external_id", "Lead Score": "attr:lead_score"}


def test_given_mapping_takes_a_field_from_the_suggestion():
    suggested = suggest_mapping(["ID", "Lead Number"], LEAD_SPEC)

    used = suggested.overlaid(Mapping(columns={"Lead Number": "external_id"}))

    assert used.columns == {"ID": "", "Lead Number": "external_id"}


@pytest.mark.parametrize(
    ("headers", "sample"),
    [
        ([c.header for c in LEAD_SPEC.columns], True),
        ([c.header for c in LEAD_SPEC.columns if c.field != "status"], True),  # status is optional
        ([c.header for c in CUSTOMER_SPEC.columns] + ["Z_CostContact"], True),
        ([c.header for c in LEAD_SPEC.columns] + ["Region"], False),  # an extra column
        ([c.header for c in LEAD_SPEC.columns if c.field != "age"], False),  # a missing column
    ],
)
def test_sample_layout_is_the_specs_own_headers_and_nothing_else(headers, sample):
    assert is_sample_layout(headers, CUSTOMER_SPEC if "Year_Birth" in headers else LEAD_SPEC) is sample


def test_attributes_render_as_one_json_object_per_row_with_null_for_empty_cells():
    kinds = {"visits": ("number", ["3", "", "2.5"]), "opted_out": ("boolean", ["Yes", "no", ""]),
             "since": ("date", ["31/01/2024", "", "01/02/2024"]), "city": ("category", ['Pune "West"', "", "Å"])}
    tokens = {}
    for key, (kind, values) in kinds.items():
        text = pd.Series(values)
        rendered, bad, _ = attributes.parse_values(text, kind)
        assert not bad[text != ""].any()
        tokens[key] = rendered.where(~pd.Series(attributes.missing(text, kind)), None).astype("category")

    rows = [json.loads(row) for row in attributes.render(tokens)]

    assert rows == [
        {"visits": 3, "opted_out": True, "since": "2024-01-31", "city": 'Pune "West"'},
        {"visits": None, "opted_out": False, "since": None, "city": None},
        {"visits": 2.5, "opted_out": None, "since": "2024-02-01", "city": "Å"},
    ]


def test_a_value_that_is_not_of_the_attributes_kind_is_bad_with_a_reason():
    _, bad, reason = attributes.parse_values(pd.Series(["12", "twelve"]), "number")

    assert bad.tolist() == [False, True] and reason == "not a number"
