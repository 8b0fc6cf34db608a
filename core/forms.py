"""Forms of the admin's import flow (upload, map, validate, import) and of saved mappings; the uploaded file kept
between the flow's steps.

The file waits under MEDIA_ROOT/import-uploads/ named by a random token; the session holds the token with the
dataset, file name and the mapping chosen so far (JSON, never pickled), and the file is deleted after the import.
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings

from core.errors import UserError
from core.import_runs import import_entities, import_entity
from core.mapping import ATTRIBUTE_PREFIX, Mapping, MappingError, check_mapping, is_attribute



def dataset_choices() -> list[tuple[str, str]]:
    """The datasets the apps registered for import (core.import_runs.register_import), with their labels."""
    return [(name, entity.label or name) for name, entity in import_entities().items()]


STASH_FOLDER = "import-uploads"
STASH_SESSION_KEY = "import_uploads"
STASH_MAX_AGE_SECONDS = 24 * 3600  # an upload left half-way is deleted by the next upload after a day
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
IGNORE, ATTRIBUTE, KEEP = "", "attr", ""


class ImportUploadForm(forms.Form):
    dataset = forms.ChoiceField(choices=dataset_choices)
    file = forms.FileField(help_text="CSV (comma, tab, semicolon or |; UTF-8 or Latin-1) or Excel .xlsx")
    strict = forms.BooleanField(required=False, help_text="Import nothing if any row has a problem")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"the file is larger than the {limit} MiB upload limit")
        return upload


class MappingForm(forms.Form):
    """Per source column: a field of the dataset, a custom attribute (its kind shown) or ignored; per category
    value the file has that is not a known one: a known value or kept as given; a name to save the mapping as.

    `mapping` is the mapping shown (the suggestion, or a saved one on top of it); `value_rows` lists
    (field, source value, rows or None) for the value choices; `attribute_kinds` is header -> kind as an
    attribute."""

    save_as = forms.CharField(required=False, max_length=120, label="Save this mapping as",
                              help_text="a name to reuse it for the next file like this one (optional)")

    def __init__(self, *args, entity: str, headers: list[str], mapping: Mapping, attribute_kinds: dict[str, str],
                 value_rows: list[tuple[str, str, int | None]], **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = import_entity(entity).spec
        self.headers, self.base, self.value_rows = headers, mapping, value_rows
        self.attribute_keys = {h: t[len(ATTRIBUTE_PREFIX):] for h, t in mapping.columns.items() if is_attribute(t)}
        fields = [(c.field, f"{c.field}" + (" (the id)" if c.field == self.spec.key_field else ""))
                  for c in self.spec.columns]
        for i, header in enumerate(headers):
            target = mapping.columns.get(header, "")
            kind = attribute_kinds.get(header, "category")
            self.fields[f"column_{i}"] = forms.ChoiceField(
                label=header, required=False,
                choices=[("Field", fields), (ATTRIBUTE, f"custom attribute ({kind})"), (IGNORE, "ignore")],
                initial=ATTRIBUTE if is_attribute(target) else target,
            )
        for n, (field_name, source, _rows) in enumerate(value_rows):
            known = self.spec.column(field_name).choices
            self.fields[f"value_{n}"] = forms.ChoiceField(
                label=f"{field_name}: {source}", required=False,
                choices=[(KEEP, "keep as given"), *((choice, choice) for choice in known)],
                initial=mapping.values.get(field_name, {}).get(source, KEEP),
            )

    def column_fields(self):
        return [(header, self[f"column_{i}"]) for i, header in enumerate(self.headers)]

    def value_fields(self):
        return [(field_name, source, rows, self[f"value_{n}"])
                for n, (field_name, source, rows) in enumerate(self.value_rows)]

    def clean(self):
        cleaned = super().clean()
        columns = {}
        for i, header in enumerate(self.headers):
            choice = cleaned.get(f"column_{i}", IGNORE)
            columns[header] = ATTRIBUTE_PREFIX + self.attribute_keys.get(header, "") if choice == ATTRIBUTE else choice
        values: dict[str, dict[str, str]] = {}
        for n, (field_name, source, _rows) in enumerate(self.value_rows):
            target = cleaned.get(f"value_{n}", KEEP)
            if target != KEEP:
                values.setdefault(field_name, {})[source] = target
        try:
            self.chosen = check_mapping(Mapping(columns=columns, values=values, units=self.base.units), self.spec)
        except MappingError as exc:
            raise forms.ValidationError(str(exc)) from None
        return cleaned


def value_rows(mapping: Mapping, warnings: list[dict]) -> list[tuple[str, str, int | None]]:
    """The category values to offer a choice for: those the mapping translates (by field and value), then those
    a check found unknown (with their row counts)."""
    rows = {(f, source): None for f, translated in sorted(mapping.values.items()) for source in sorted(translated)}
    for warning in warnings:
        rows[(warning["field"], warning["value"])] = warning["rows"]
    return [(f, source, count) for (f, source), count in rows.items()]


class ImportMappingForm(forms.ModelForm):
    """A saved mapping edited as JSON: checked against its dataset's fields as an import would."""

    def clean(self):
        cleaned = super().clean()
        entity = cleaned.get("entity") or getattr(self.instance, "entity", "")
        try:
            spec = import_entity(entity).spec
            mapping = Mapping.from_json({"columns": cleaned.get("columns") or {}, "values": cleaned.get("values") or {},
                                         "units": cleaned.get("units") or {}})
            check_mapping(mapping, spec)
        except UserError as exc:  # an unknown dataset, or a mapping that is no mapping of its fields
            raise forms.ValidationError(str(exc)) from None
        return cleaned


# --- the uploaded file between steps ---------------------------------------------------------------------------------


def _stash_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / STASH_FOLDER


def stash_path(token: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise ValueError("not an upload token")
    return _stash_dir() / f"{token}.upload"


def stash_upload(session, upload, *, dataset: str, strict: bool) -> str:
    """Keep the uploaded file under a new random token, remembered in the session; returns the token."""
    folder = _stash_dir()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STASH_MAX_AGE_SECONDS
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    with stash_path(token).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    stashes = dict(session.get(STASH_SESSION_KEY, {}))
    stashes[token] = {"dataset": dataset, "name": Path(upload.name).name[:255], "strict": strict}
    session[STASH_SESSION_KEY] = stashes
    return token


def stash_state(session, token: str) -> dict | None:
    """What the session remembers of an upload (dataset, name, strict, mapping so far), if its file is still there."""
    state = session.get(STASH_SESSION_KEY, {}).get(token)
    if state is None or not _TOKEN.match(token) or not stash_path(token).exists():
        return None
    return dict(state)


def stash_update(session, token: str, **changes) -> None:
    stashes = dict(session.get(STASH_SESSION_KEY, {}))
    stashes[token] = {**stashes.get(token, {}), **changes}
    session[STASH_SESSION_KEY] = stashes


def stash_discard(session, token: str) -> None:
    stash_path(token).unlink(missing_ok=True)
    stashes = dict(session.get(STASH_SESSION_KEY, {}))
    stashes.pop(token, None)
    session[STASH_SESSION_KEY] = stashes
