"""Per-sample transforms: uint8 (3, H, W) in, float32 (3, H, W) in [0, 1] out.

Training uses them only for augmentations with a per-sample policy (augment/registry.py); the
others run ``basic`` batched on the device (augment/batched.py).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torchvision.transforms import v2


def _to_float() -> v2.Transform:
    return v2.ToDtype(torch.float32, scale=True)


def _resize(image_size: int) -> v2.Transform:
    # Resize is a no-op when prepared data already has this size (torchvision short-circuits).
    return v2.Resize((image_size, image_size), antialias=True)


def basic_transforms(image_size: int, hflip: float = 0.5, rotation: float = 10.0) -> list:
    """The thesis' light train augmentation: resize, random horizontal flip, small rotation."""
    return [_resize(image_size), v2.RandomHorizontalFlip(p=hflip), v2.RandomRotation(rotation)]


def build_sample_transform(
    image_size: int,
    hflip: float = 0.5,
    rotation: float = 10.0,
    sample_policy: Callable[[], v2.Transform] | None = None,
) -> v2.Compose:
    """Basic augmentation, then a per-sample policy on uint8, then float32 in [0, 1]."""
    steps = basic_transforms(image_size, hflip, rotation)
    if sample_policy is not None:
        steps.append(sample_policy())
    steps.append(_to_float())
    return v2.Compose(steps)


def build_eval_transform(image_size: int) -> v2.Compose:
    """Resize and convert to float32 in [0, 1]; no randomness."""
    return v2.Compose([_resize(image_size), _to_float()])
