"""The prepared format's uint8 (B, H, W, C) images as float (B, C, H, W) in [0, 1], and back."""

from __future__ import annotations

import torch


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Quantise [0, 1] images to the 8-bit storage every training image uses, as (B, H, W, C)."""
    return (images * 255.0).round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1)


def to_float(images_hwc: torch.Tensor) -> torch.Tensor:
    """uint8 (B, H, W, C) to float (B, C, H, W) in [0, 1]."""
    # The permuted view is channels-last in memory, the layout the models run fastest in.
    return images_hwc.permute(0, 3, 1, 2).float().div_(255.0)
