"""A trained run's classifier in its checkpoint.pt: the train step writes it, every later step
(explain, the saliency figures, predict) reads it back."""

from __future__ import annotations

import os
from typing import Any

import torch

from proxy_attention.atomic import atomic_path
from proxy_attention.errors import UserError
from proxy_attention.layout import CHECKPOINT  # noqa: F401  (the file name, beside its reader and writer)
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


def load_classifier(
    path: str | os.PathLike, device: torch.device | str = "cpu"
) -> tuple[ImageClassifier, dict[str, Any]]:
    """The checkpoint's model in eval mode on ``device`` and its metadata (all but the weights)."""
    try:
        # weights_only: a checkpoint holds tensors and plain metadata, never code to unpickle.
        state = torch.load(path, map_location=device, weights_only=True)
    except FileNotFoundError:
        raise UserError(f"{path}: no such checkpoint; train the run first") from None
    missing = [key for key in REQUIRED_KEYS if key not in state]
    if missing:
        raise UserError(f"{path}: not a run checkpoint, missing keys {missing}")
    model = create_classifier(state["arch"], state["num_classes"], False, state["image_size"])
    model.load_state_dict(state["model"])
    model.to(device).eval()
    return model, {key: state[key] for key in REQUIRED_KEYS if key != "model"}
