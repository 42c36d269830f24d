"""One training epoch and one evaluation pass; mixed precision only where CUDA is present."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from proxy_attention.faults import boundary

BatchAugment = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


@dataclass
class EpochResult:
    loss: float
    accuracy: float
    images: int


def select_device(name: str) -> torch.device:
    """train.device as a torch device: its own GPU on a multi-GPU node, and no silent CPU
    fallback when a GPU is visible but unusable (devices.py)."""
    from proxy_attention.devices import resolve_device

    return resolve_device(name)


def train_epoch(
    model: nn.Module,
    batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    scaler: torch.amp.GradScaler,
    device: torch.device,
    batch_augment: BatchAugment | None = None,
) -> EpochResult:
    """Train over ``batches`` of (float images in [0, 1], labels); the LR steps per batch."""
    model.train()
    use_amp = device.type == "cuda"
    total_loss = torch.zeros((), device=device)
    correct = torch.zeros((), device=device, dtype=torch.long)
    seen = 0
    for images, labels in batches:
        images = images.to(device, non_blocking=True, memory_format=torch.channels_last)
        labels = labels.to(device, non_blocking=True)
        targets: torch.Tensor = labels
        if batch_augment is not None:
            images, targets = batch_augment(images, labels)
        with torch.autocast(device_type=device.type, dtype=torch.float16, enabled=use_amp):
            logits = model(images)
            loss = F.cross_entropy(logits, targets)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        scheduler.step()
        boundary("train:batch")  # fault injection (faults.py): a kill in the middle of an epoch
        # Accumulate on the device: a .item() per batch would synchronise a GPU every step.
        # Accuracy is against the un-mixed labels, the convention for mixing augmentations.
        total_loss += loss.detach() * len(labels)
        correct += (logits.detach().argmax(dim=1) == labels).sum()
        seen += len(labels)
    return EpochResult(total_loss.item() / max(seen, 1), correct.item() / max(seen, 1), seen)


@torch.no_grad()
def predict(
    model: nn.Module,
    batches: Iterable[tuple[np.ndarray, torch.Tensor, torch.Tensor]],
    device: torch.device,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Mean loss, predictions, labels and class probabilities over ``batches``, in eval mode."""
    model.eval()
    use_amp = device.type == "cuda"
    losses, predictions, labels_all, probabilities = [], [], [], []
    for _, images, labels in batches:
        with torch.autocast(device_type=device.type, dtype=torch.float16, enabled=use_amp):
            logits = model(images).float()
        losses.append(F.cross_entropy(logits, labels, reduction="sum").item())
        probabilities.append(logits.softmax(dim=1).cpu().numpy())
        predictions.append(logits.argmax(dim=1).cpu().numpy())
        labels_all.append(labels.cpu().numpy())
    count = sum(len(p) for p in predictions)
    return (
        sum(losses) / max(count, 1),
        np.concatenate(predictions),
        np.concatenate(labels_all),
        np.concatenate(probabilities),
    )
