"""SaliencyMix and Attentive CutMix, batched, driven by the project's saliency maps.

Written here because no installed library (torchvision, timm) provides them with a model's
own saliency; both are a few tensor ops once the maps exist.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from proxy_attention.augment.mixing import box_mask, partner, paste, sample_lambda

SaliencyFn = Callable[[Tensor], Tensor]


def _check_maps(images: Tensor, maps: Tensor) -> None:
    b, _, h, w = images.shape
    if maps.shape != (b, h, w):
        raise ValueError(f"saliency maps must have shape {(b, h, w)}, got {tuple(maps.shape)}")


def saliency_mix(
    images: Tensor, labels: Tensor, maps: Tensor, num_classes: int, lam: float
) -> tuple[Tensor, Tensor]:
    """SaliencyMix (Uddin et al. 2021) with a given lambda.

    Each image receives a patch of side sqrt(1 - lam) * size from its partner, centred on the
    partner's most salient pixel and pasted at the same place; the partner's label weight is the
    pasted area fraction after clipping at the border.
    """
    _check_maps(images, maps)
    _, _, h, w = images.shape
    cut_h, cut_w = int(h * math.sqrt(1.0 - lam)), int(w * math.sqrt(1.0 - lam))
    # Ties (e.g. flat maps) resolve to the first maximum, as torch.argmax documents.
    peak = partner(maps).flatten(1).argmax(1)
    cy, cx = peak // w, peak % w
    y1, x1 = cy - cut_h // 2, cx - cut_w // 2
    mask = box_mask(
        y1.clamp(0, h), (y1 + cut_h).clamp(0, h), x1.clamp(0, w), (x1 + cut_w).clamp(0, w), h, w
    )
    return paste(images, labels, mask, num_classes)


def attentive_cutmix(
    images: Tensor, labels: Tensor, maps: Tensor, num_classes: int, grid: int = 7, top_k: int = 6
) -> tuple[Tensor, Tensor]:
    """Attentive CutMix (Walawalkar et al. 2020): paste the partner's top-k grid cells.

    Cells are ranked by the partner's saliency mass. The partner's label weight is the pasted
    pixel fraction, which is exactly top_k / grid**2 when grid divides H and W.
    """
    _check_maps(images, maps)
    _, _, h, w = images.shape
    if not (1 <= grid <= min(h, w)) or not (0 <= top_k <= grid * grid):
        raise ValueError(f"need 1 <= grid <= {min(h, w)} and 0 <= top_k <= grid**2")
    # Cell index of every row and column; cells differ by at most one pixel when grid does not
    # divide the size, and one-hot matrices sum the saliency per cell in one einsum.
    row_cell = torch.arange(h, device=maps.device) * grid // h
    col_cell = torch.arange(w, device=maps.device) * grid // w
    rows = F.one_hot(row_cell, grid).to(maps.dtype)
    cols = F.one_hot(col_cell, grid).to(maps.dtype)
    mass = torch.einsum("hg,bhw,wk->bgk", rows, partner(maps), cols)
    top = mass.flatten(1).topk(top_k, dim=1).indices
    cells = torch.zeros(mass.shape[0], grid * grid, dtype=torch.bool, device=maps.device)
    cells = cells.scatter(1, top, True).view(-1, grid, grid)
    mask = cells[:, row_cell][:, :, col_cell]
    return paste(images, labels, mask, num_classes)


class SaliencyMix:
    """Batch augment: SaliencyMix with lambda ~ Beta(alpha, alpha) per batch, as in CutMix."""

    def __init__(self, num_classes: int, saliency_fn: SaliencyFn, alpha: float = 1.0) -> None:
        self.num_classes, self.saliency_fn, self.alpha = num_classes, saliency_fn, alpha

    def __call__(self, images: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        lam = sample_lambda(self.alpha)
        maps = self.saliency_fn(images).detach()
        return saliency_mix(images, labels, maps, self.num_classes, lam)


class AttentiveCutMix:
    """Batch augment: Attentive CutMix with a fixed grid and top-k (no random lambda)."""

    def __init__(
        self, num_classes: int, saliency_fn: SaliencyFn, grid: int = 7, top_k: int = 6
    ) -> None:
        self.num_classes, self.saliency_fn = num_classes, saliency_fn
        self.grid, self.top_k = grid, top_k

    def __call__(self, images: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        maps = self.saliency_fn(images).detach()
        return attentive_cutmix(images, labels, maps, self.num_classes, self.grid, self.top_k)
