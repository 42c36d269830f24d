"""Erasing augmentations of a whole batch on the device, each image with its own draw:
GridMask, Hide-and-Seek and CowMask erasure. Labels are kept. The masks are drawn in
augment/masks.py (by hand: no installed library has them, it says why)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor, nn

from proxy_attention.augment.masks import cell_mask, cow_mask, grid_keep_mask


def batch_mean_pixel(images: Tensor) -> Tensor:
    """The batch's mean colour (1, 3, 1, 1): Hide-and-Seek fills with the dataset's mean pixel;
    a shuffled batch's mean estimates it without a pass over the data before training."""
    return images.mean((0, 2, 3), keepdim=True)


class GridMask(nn.Module):
    """GridMask (Chen et al. 2020): drop evenly spaced squares. The period d is uniform in
    ``period`` (fractions of the side; the paper's 96-224 px of 224), the kept stripe is
    ``ratio`` of d, the grid's offset is uniform, and an image is masked with probability
    ``p`` (the paper raises p to 0.8 over training; we hold it there)."""

    def __init__(self, ratio: float, period: tuple[float, float], p: float) -> None:
        super().__init__()
        self.ratio, self.period, self.p = ratio, period, p

    def forward(self, images: Tensor) -> Tensor:
        b, _, h, w = images.shape
        device = images.device
        low, high = (max(2, round(f * min(h, w))) for f in self.period)
        periods = torch.randint(low, high + 1, (b,)).to(device)
        offsets = (torch.rand(b, 2) * periods.cpu()[:, None]).long().to(device)
        keep = grid_keep_mask(periods, offsets, self.ratio, h, w)
        masked = torch.rand(b).to(device) < self.p
        keep = keep | ~masked[:, None, None]
        return images * keep[:, None].to(images.dtype)


class HideAndSeek(nn.Module):
    """Hide-and-Seek (Singh et al. 2018): the image cut into ``grid`` x ``grid`` cells, each
    hidden with probability ``p`` and filled with the mean pixel (batch_mean_pixel)."""

    def __init__(self, grid: int, p: float) -> None:
        super().__init__()
        self.grid, self.p = grid, p

    def forward(self, images: Tensor) -> Tensor:
        b, _, h, w = images.shape
        hidden_cells = (torch.rand(b, self.grid, self.grid) < self.p).to(images.device)
        hidden = cell_mask(hidden_cells, h, w)[:, None]
        return torch.where(hidden, batch_mean_pixel(images), images)


class CowMaskErase(nn.Module):
    """CowMask erasure (French et al. 2020): keep the pixels of a cow mask with a kept
    proportion uniform in ``proportion``; the rest take the mean pixel (the paper's zero on
    mean-subtracted images)."""

    def __init__(self, sigma: tuple[float, float], proportion: tuple[float, float]) -> None:
        super().__init__()
        self.sigma, self.proportion = sigma, proportion

    def forward(self, images: Tensor) -> Tensor:
        b, _, h, w = images.shape
        keep = cow_mask(b, h, w, self.sigma, self.proportion, images.device)[:, None]
        return torch.where(keep, images, batch_mean_pixel(images))


def gridmask(masking: Mapping[str, Any]) -> nn.Module:
    return GridMask(
        masking["gridmask_ratio"], tuple(masking["gridmask_period"]), masking["gridmask_p"]
    )


def hide_and_seek(masking: Mapping[str, Any]) -> nn.Module:
    return HideAndSeek(masking["hide_and_seek_grid"], masking["hide_and_seek_p"])


def cowmask_erase(masking: Mapping[str, Any]) -> nn.Module:
    return CowMaskErase(tuple(masking["cowmask_sigma"]), tuple(masking["cowmask_erase_proportion"]))
