"""Checkpoints of tiny untrained classifiers, written by the train step's own writer."""

from pathlib import Path

import torch

from proxy_attention.checkpoint import save_classifier
from proxy_attention.models import create_classifier


def save_checkpoint(path: Path, run_id: str, seed: int) -> Path:
    """A seeded 3-class test_efficientnet for 16 px images, saved as a run checkpoint."""
    torch.manual_seed(seed)
    model = create_classifier("test_efficientnet", 3, image_size=16)
    save_classifier(
        path,
        model,
        arch="test_efficientnet",
        num_classes=3,
        image_size=16,
        classes=["a", "b", "c"],
        run_id=run_id,
    )
    return path


def reference_model(path: Path) -> torch.nn.Module:
    """The checkpoint loaded by hand, independently of proxy_attention.checkpoint."""
    state = torch.load(path, weights_only=True)
    model = create_classifier("test_efficientnet", 3, image_size=16)
    model.load_state_dict(state["model"])
    return model.eval()
