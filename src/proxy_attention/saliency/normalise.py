"""Put raw attributions of any method on one scale: (B, H, W) in [0, 1]."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def reduce_channels(attributions: torch.Tensor) -> torch.Tensor:
    """Collapse per-channel pixel attributions (B, C, H, W) to (B, H, W) by summing |a| over C.

    The sum of absolute values (Captum's visualisation convention) keeps evidence from every
    colour channel; taking the max would discard two of them.
    """
    return attributions.abs().sum(dim=1)


def normalise_maps(raw: torch.Tensor, size: tuple[int, int], signed: bool) -> torch.Tensor:
    """ReLU (or |.| when ``signed``), bilinear upsample to ``size``, min-max per image.

    Returns float32 (B, H, W) in [0, 1]; a constant map becomes all zeros, never NaN.
    """
    if raw.ndim != 3:
        raise ValueError(f"expected raw maps of shape (B, h, w), got {tuple(raw.shape)}")
    # Non-finite values (e.g. 0/0 in a gradient ratio) carry no evidence; they must not leak
    # into the min-max and turn a whole map into NaN.
    maps = torch.nan_to_num(raw.detach().float(), nan=0.0, posinf=0.0, neginf=0.0)
    maps = maps.abs() if signed else maps.clamp_min(0.0)
    if tuple(maps.shape[-2:]) != tuple(size):
        maps = F.interpolate(maps[:, None], size=size, mode="bilinear", align_corners=False)[:, 0]
    flat = maps.flatten(1)
    low = flat.amin(dim=1).view(-1, 1, 1)
    span = (flat.amax(dim=1) - flat.amin(dim=1)).view(-1, 1, 1)
    # Spans at the float32 rounding floor are constant maps: dividing would amplify noise.
    tiny = torch.finfo(torch.float32).eps * flat.abs().amax(dim=1).view(-1, 1, 1)
    constant = span <= tiny
    scaled = (maps - low) / torch.where(constant, torch.ones_like(span), span)
    return torch.where(constant, torch.zeros_like(scaled), scaled).clamp_(0.0, 1.0)
