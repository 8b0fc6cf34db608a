"""The import dry run (file_check) and the choice between a sample-layout import and a mapped one."""
import pytest

from core.import_runs import file_check, file_preview, import_entity, mapping_to_import
from core.mapping import Mapping
from core.models import CustomAttribute, JobRun
from leads.models import Lead

pytestmark = pytest.mark.django_db

FOREIGN_LEADS = (
    b"Prospect ID,TotalVisits,What is your current occupation,City\n"
    b"p-1,3,Working Professional,Mumbai\n"
    b"p-2,many,Student,Pune\n"
    b"p-3,5,Housewife,Mumbai\n"
    b"p-4,2,Housewife,Delhi\n"
)


def test_file_check_reports_what_an_import_would_do_and_writes_nothing():
    check = file_check(spec=import_entity("leads").spec, source=FOREIGN_LEADS)

    assert (check.total_rows, check.rejected_rows) == (4, 1)
    assert check.errors == [{"row": 3, "column": "TotalVisits", "value": "many", "reason": "not a whole number"}]
    assert check.error_counts == {"TotalVisits: not a whole number": 1}
    assert [(w["field"], w["value"], w["rows"]) for w in check.warnings] == [("current_occupation", "Housewife", 2)]
    assert check.mapping.columns == {"Prospect ID": "external_id", "TotalVisits": "website_visits",
                                     "What is your current occupation": "current_occupation", "City": "attr:city"}
    assert check.kinds["City"] == "category"
    assert check.sample_layout is False
    assert (Lead.objects.count(), JobRun.objects.count(), CustomAttribute.objects.count()) == (0, 0, 0)


def test_file_check_applies_the_given_value_translations():
    mapping = Mapping(values={"current_occupation": {"Housewife": "Unemployed"}})
    check = file_check(spec=import_entity("leads").spec, source=FOREIGN_LEADS, mapping=mapping)
    assert check.warnings == []


def test_preview_gives_each_column_its_kind_as_an_attribute():
    preview = file_preview(spec=import_entity("leads").spec, source=FOREIGN_LEADS)
    assert preview.attribute_kinds == {"Prospect ID": "category", "TotalVisits": "category",
                                       "What is your current occupation": "category", "City": "category"}
    numbers = file_preview(spec=import_entity("leads").spec, source=b"Prospect ID,Score\np-1,3\np-2,4.5\n")
    assert numbers.attribute_kinds == {"Prospect ID": "category", "Score": "number"}


def test_mapping_to_import_keeps_the_sample_layout_only_for_its_own_suggestion():
    suggested = Mapping(columns={"ID": "external_id", "age": "age"})
    changed = Mapping(columns={"ID": "external_id", "age": ""})

    assert mapping_to_import(chosen=suggested, suggested=suggested, sample_layout=True) is None
    assert mapping_to_import(chosen=changed, suggested=suggested, sample_layout=True) == changed
    assert mapping_to_import(chosen=suggested, suggested=suggested, sample_layout=False) == suggested
