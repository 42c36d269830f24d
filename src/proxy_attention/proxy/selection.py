"""Which training images get a proxy: the misclassified ones, a seeded fraction of them."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from proxy_attention.data.views import ImageStore


@torch.no_grad()
def find_misclassified(
    model: nn.Module, store: ImageStore, indices: np.ndarray, batch_size: int, device: torch.device
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classify the un-augmented images in eval mode; return (indices, losses, predictions) of
    the wrong ones. Only these small arrays are kept, never the images."""
    was_training = model.training
    model.eval()
    wrong, losses, predicted = [], [], []
    try:
        for chunk, images, labels in store.batches(indices, batch_size, device):
            logits = model(images).float()
            prediction = logits.argmax(dim=1)
            miss = (prediction != labels).cpu().numpy()
            wrong.append(chunk[miss])
            losses.append(F.cross_entropy(logits, labels, reduction="none").cpu().numpy()[miss])
            predicted.append(prediction.cpu().numpy()[miss])
    finally:
        model.train(was_training)
    if not wrong:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0, dtype=np.float32), empty
    return np.concatenate(wrong), np.concatenate(losses), np.concatenate(predicted)


def choose_subset(
    count: int, fraction: float, order: str, losses: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Positions of the chosen candidates: ``max(1, round(fraction * count))`` of them.

    ``random`` draws them with the seeded ``rng``; ``hardest`` takes the highest losses first.
    """
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    keep = max(1, round(fraction * count))
    if order == "random":
        return np.sort(rng.choice(count, size=keep, replace=False))
    if order == "hardest":
        return np.argsort(-losses, kind="stable")[:keep]
    raise ValueError(f"unknown selection order {order!r}; choose random or hardest")
