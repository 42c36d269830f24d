"""Per-sample train and eval transforms: uint8 (3, H, W) in, float32 (3, H, W) in [0, 1] out."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torchvision.transforms import v2

# Cutout (DeVries & Taylor 2017) erases one fixed-size square; they used a 16 px side on 32 px
# CIFAR-10 images, i.e. half the image side, which we keep as a fraction so it scales with size.
CUTOUT_SIDE_FRACTION = 0.5


def cutout() -> v2.Transform:
    # Cutout is RandomErasing with p=1, a fixed area (side**2 of the image), aspect ratio 1 and
    # value 0. One difference from the paper: RandomErasing keeps the square inside the image,
    # whereas Cutout let it overhang the border (erasing less there).
    area = CUTOUT_SIDE_FRACTION**2
    return v2.RandomErasing(p=1.0, scale=(area, area), ratio=(1.0, 1.0), value=0)


def _to_float() -> v2.Transform:
    return v2.ToDtype(torch.float32, scale=True)


def _resize(image_size: int) -> v2.Transform:
    # Resize is a no-op when prepared data already has this size (torchvision short-circuits).
    return v2.Resize((image_size, image_size), antialias=True)


def basic_transforms(image_size: int, hflip: float = 0.5, rotation: float = 10.0) -> list:
    """The thesis' light train augmentation: resize, random horizontal flip, small rotation."""
    return [_resize(image_size), v2.RandomHorizontalFlip(p=hflip), v2.RandomRotation(rotation)]


def build_train_transform(
    image_size: int,
    hflip: float = 0.5,
    rotation: float = 10.0,
    uint8_step: Callable[[], v2.Transform] | None = None,
    float_step: Callable[[], v2.Transform] | None = None,
) -> v2.Compose:
    """Basic augmentation, then an augmentation's own steps (augment/registry.py) around
    the conversion to float32 in [0, 1]; none for batch-level mixes."""
    steps = basic_transforms(image_size, hflip, rotation)
    if uint8_step is not None:
        steps.append(uint8_step())
    steps.append(_to_float())
    if float_step is not None:
        steps.append(float_step())
    return v2.Compose(steps)


def build_eval_transform(image_size: int) -> v2.Compose:
    """Resize and convert to float32 in [0, 1]; no randomness."""
    return v2.Compose([_resize(image_size), _to_float()])
