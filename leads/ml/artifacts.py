"""Saving and loading fitted lead models, guarded by a SHA-256 checksum.

Loading unpickles, and unpickling can run arbitrary code, so only artifacts that this system wrote itself (with
``save_model``, whose checksum was recorded at the time) may be loaded — never a file uploaded by a user. The
checksum is verified *before* the file is unpickled: a changed or corrupted file is refused, not executed.
"""
from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import joblib
from sklearn.base import ClassifierMixin

_BLOCK = 1 << 20


class ArtifactIntegrityError(RuntimeError):
    """A model artifact does not match the checksum recorded when it was saved."""


def save_model(model: ClassifierMixin, path: str | Path) -> str:
    """Write ``model`` to ``path`` (parent folders created) and return the file's SHA-256 hex digest."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path, compress=3)
    return file_checksum(path)


def load_model(path: str | Path, checksum: str) -> ClassifierMixin:
    """Load a model saved by ``save_model``; raise ``ArtifactIntegrityError`` unless its checksum is ``checksum``."""
    path = Path(path)
    actual = file_checksum(path)
    if not hmac.compare_digest(actual, checksum.strip().lower()):
        raise ArtifactIntegrityError(
            f"model artifact {path.name} has checksum {actual[:12]}…, expected {checksum[:12]}…: refusing to load it"
        )
    return joblib.load(path)


def file_checksum(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
