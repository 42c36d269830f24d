"""A trained run's classifier in its checkpoint.pt: the train step writes it, every later step
(explain, the saliency figures, predict) reads it back."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import torch

from proxy_attention.atomic import atomic_path, read_json, write_json
from proxy_attention.errors import UserError
from proxy_attention.layout import (
    CHECKPOINT,  # noqa: F401  (the file name, beside its reader and writer)
    CHECKPOINT_RECORD,
)
from proxy_attention.models import ImageClassifier, create_classifier

REQUIRED_KEYS = ("model", "arch", "num_classes", "image_size", "classes", "run_id")


def save_classifier(
    path: str | os.PathLike,
    model: torch.nn.Module,
    *,
    arch: str,
    num_classes: int,
    image_size: int,
    classes: list[str],
    run_id: str,
) -> None:
    """Write ``model`` and what load_classifier needs to rebuild it, atomically, to ``path``."""
    state = {
        "model": model.state_dict(),
        "arch": arch,
        "num_classes": num_classes,
        "image_size": image_size,
        "classes": classes,
        "run_id": run_id,
    }
    with atomic_path(path) as tmp:
        torch.save(state, tmp)
    record = {"sha256": _sha256(path), "arch": arch, "run_id": run_id}
    write_json(record_path(path), record)


def record_path(path: str | os.PathLike) -> Path:
    """The record of the checkpoint at ``path`` (checkpoint.pt -> CHECKPOINT_RECORD): its
    sha256, architecture and run."""
    return Path(path).with_suffix(Path(CHECKPOINT_RECORD).suffix)


def _sha256(path: str | os.PathLike) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def verified_record(path: str | os.PathLike, expected: dict[str, str] | None = None) -> dict:
    """The checkpoint's record, once its bytes match the recorded sha256 and the record
    matches ``expected`` (``arch``, ``run_id``); a mismatch is one UserError line: a flipped
    byte changes predictions without any other sign, and another run's file loads silently."""
    record_file = record_path(path)
    if not Path(path).exists():
        raise UserError(f"{path}: no such checkpoint; train the run first")
    if not record_file.exists():
        raise UserError(
            f"{path}: no {record_file.name} beside it (its sha256 and architecture, written "
            "by the train step); retrain the run (snakemake --forcerun train)"
        )
    record, actual = read_json(record_file), _sha256(path)
    if record.get("sha256") != actual:
        raise UserError(
            f"{path}: its sha256 {actual[:16]} is not the {str(record.get('sha256'))[:16]} its "
            "run recorded: the file was changed or replaced; restore it or retrain the run"
        )
    for key, value in (expected or {}).items():
        if record.get(key) != value:
            raise UserError(
                f"{path}: a checkpoint of {key} {record.get(key)!r}, where {value!r} was "
                "expected; it belongs to another run: retrain this one"
            )
    return record


def load_classifier(
    path: str | os.PathLike,
    device: torch.device | str = "cpu",
    expected: dict[str, str] | None = None,
) -> tuple[ImageClassifier, dict[str, Any]]:
    """The checkpoint's model in eval mode on ``device`` and its metadata (all but the weights),
    verified against its record and ``expected`` (verified_record)."""
    record = verified_record(path, expected)
    try:
        # weights_only: a checkpoint holds tensors and plain metadata, never code to unpickle.
        state = torch.load(path, map_location=device, weights_only=True)
    except FileNotFoundError:
        raise UserError(f"{path}: no such checkpoint; train the run first") from None
    missing = [key for key in REQUIRED_KEYS if key not in state]
    if missing:
        raise UserError(f"{path}: not a run checkpoint, missing keys {missing}")
    if (state["arch"], state["run_id"]) != (record["arch"], record["run_id"]):
        raise UserError(
            f"{path}: holds {state['arch']} of run {state['run_id']!r}, its record says "
            f"{record['arch']} of {record['run_id']!r}; retrain the run"
        )
    model = create_classifier(state["arch"], state["num_classes"], False, state["image_size"])
    model.load_state_dict(state["model"])
    model.to(device).eval()
    return model, {key: state[key] for key in REQUIRED_KEYS if key != "model"}
