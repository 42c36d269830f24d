"""Batch-level mixing helpers shared by MixUp/CutMix and the saliency-guided mixes."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

BatchAugment = Callable[[Tensor, Tensor], tuple[Tensor, Tensor]]


def partner(x: Tensor) -> Tensor:
    """The mixing partner of each sample: the previous one in the (shuffled) batch.

    torchvision's MixUp/CutMix pair samples with ``roll(1, 0)``; the saliency mixes use the same
    pairing so all four mixes behave alike. The training DataLoader must shuffle.
    """
    return x.roll(1, 0)


def mixed_targets(labels: Tensor, partner_weight: Tensor, num_classes: int) -> Tensor:
    """Soft targets (B, num_classes): (1 - w) on the own label, w on the partner's label."""
    onehot = F.one_hot(labels, num_classes).to(torch.float32)
    w = partner_weight.to(torch.float32).unsqueeze(1)
    return (1.0 - w) * onehot + w * partner(onehot)


def box_mask(y1: Tensor, y2: Tensor, x1: Tensor, x2: Tensor, height: int, width: int) -> Tensor:
    """Boolean masks (B, H, W), True inside each image's box [y1, y2) x [x1, x2)."""
    rows = torch.arange(height, device=y1.device)
    cols = torch.arange(width, device=x1.device)
    in_rows = (rows >= y1[:, None]) & (rows < y2[:, None])
    in_cols = (cols >= x1[:, None]) & (cols < x2[:, None])
    return in_rows[:, :, None] & in_cols[:, None, :]


def paste(images: Tensor, labels: Tensor, mask: Tensor, num_classes: int) -> tuple[Tensor, Tensor]:
    """Take the partner's pixels where ``mask`` (B, H, W) is True; weight labels by that area."""
    mixed = torch.where(mask[:, None], partner(images), images)
    weight = mask.flatten(1).to(torch.float32).mean(1)
    return mixed, mixed_targets(labels, weight, num_classes)


def sample_lambda(alpha: float) -> float:
    """One mixing coefficient from Beta(alpha, alpha), drawn from torch's seeded generator."""
    a = torch.tensor(float(alpha))
    return float(torch.distributions.Beta(a, a).sample())
