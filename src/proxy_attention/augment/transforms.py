"""Per-sample train and eval transforms: uint8 (3, H, W) in, float32 (3, H, W) in [0, 1] out."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torchvision.transforms import v2

# Cutout (DeVries & Taylor 2017) erases one fixed-size square; they used a 16 px side on 32 px
# CIFAR-10 images, i.e. half the image side, which we keep as a fraction so it scales with size.
CUTOUT_SIDE_FRACTION = 0.5

# The policies run on uint8 because torchvision's AugMix/RandAugment/TrivialAugment expect uint8
# tensors (their colour ops assume the 0..255 range).
_UINT8_STAGE: dict[str, Callable[[], v2.Transform]] = {
    "augmix": v2.AugMix,
    "randaugment": v2.RandAugment,
    "trivialaugment": v2.TrivialAugmentWide,
}


def _cutout() -> v2.Transform:
    # Cutout is RandomErasing with p=1, a fixed area (side**2 of the image), aspect ratio 1 and
    # value 0. One difference from the paper: RandomErasing keeps the square inside the image,
    # whereas Cutout let it overhang the border (erasing less there).
    area = CUTOUT_SIDE_FRACTION**2
    return v2.RandomErasing(p=1.0, scale=(area, area), ratio=(1.0, 1.0), value=0)


# Erasing runs after ToDtype so value 0 means black in [0, 1]. Random Erasing uses torchvision's
# defaults, which are Zhong et al.'s: p=0.5, area 2-33 %, aspect ratio 0.3-3.3, value 0.
_FLOAT_STAGE: dict[str, Callable[[], v2.Transform]] = {
    "cutout": _cutout,
    "random_erasing": v2.RandomErasing,
}


def _to_float() -> v2.Transform:
    return v2.ToDtype(torch.float32, scale=True)


def _resize(image_size: int) -> v2.Transform:
    # Resize is a no-op when prepared data already has this size (torchvision short-circuits).
    return v2.Resize((image_size, image_size), antialias=True)


def basic_transforms(image_size: int, hflip: float = 0.5, rotation: float = 10.0) -> list:
    """The thesis' light train augmentation: resize, random horizontal flip, small rotation."""
    return [_resize(image_size), v2.RandomHorizontalFlip(p=hflip), v2.RandomRotation(rotation)]


def build_train_transform(
    name: str, image_size: int, hflip: float = 0.5, rotation: float = 10.0
) -> v2.Compose:
    """Basic augmentation followed by the named per-sample one (none for batch-level mixes)."""
    steps = basic_transforms(image_size, hflip, rotation)
    if name in _UINT8_STAGE:
        steps.append(_UINT8_STAGE[name]())
    steps.append(_to_float())
    if name in _FLOAT_STAGE:
        steps.append(_FLOAT_STAGE[name]())
    return v2.Compose(steps)


def build_eval_transform(image_size: int) -> v2.Compose:
    """Resize and convert to float32 in [0, 1]; no randomness."""
    return v2.Compose([_resize(image_size), _to_float()])
