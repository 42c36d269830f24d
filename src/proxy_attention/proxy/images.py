"""Proxy images from saliency maps, as thesis/chapters/approach.tex defines them."""

from __future__ import annotations

import torch

MODES = ("blended", "mean", "max", "min", "halfmax", "zero")


def proxy_images(
    images: torch.Tensor, maps: torch.Tensor, threshold: float, weight: float, mode: str = "blended"
) -> torch.Tensor:
    """Change the pixels whose map value exceeds ``threshold``; leave the others untouched.

    ``images`` are un-normalised (B, C, H, W) in [0, 1] and ``maps`` (B, H, W) in [0, 1].
    ``blended`` gives (1 - weight * M) * x; the replacement modes set a masked pixel (all its
    channels) to one value per image, computed over all its pixels and channels. A weight of 0
    disables the step in every mode, so weight 0 and threshold >= 1 are both the identity.
    """
    if mode not in MODES:
        raise ValueError(f"unknown proxy mode {mode!r}; choose one of {list(MODES)}")
    if weight == 0:
        return images.clone()
    weighted = maps.unsqueeze(1)
    mask = weighted > threshold
    if mode == "blended":
        changed = (1.0 - weight * weighted) * images
    else:
        changed = _replacement_value(images, mode).expand_as(images)
    return torch.where(mask, changed, images)


def _replacement_value(images: torch.Tensor, mode: str) -> torch.Tensor:
    flat = images.flatten(1)
    if mode == "mean":
        value = flat.mean(dim=1)
    elif mode == "max":
        value = flat.amax(dim=1)
    elif mode == "min":
        value = flat.amin(dim=1)
    elif mode == "halfmax":
        value = 0.5 * flat.amax(dim=1)
    else:
        value = torch.zeros_like(flat[:, 0])
    return value.view(-1, 1, 1, 1)


def changed_fraction(maps: torch.Tensor, threshold: float, weight: float) -> torch.Tensor:
    """Per image, the fraction of pixels the proxy step changes (the mask, not the values)."""
    if weight == 0:
        return torch.zeros(maps.shape[0], device=maps.device)
    return (maps > threshold).flatten(1).float().mean(dim=1)
