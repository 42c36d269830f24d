"""Augmentations of whole batches on the training device, each image with its own parameters.

kornia.augmentation draws one set of parameters per image, as torchvision's per-sample
transforms do, and applies them to the batch in a few tensor ops, on whatever device the batch
is on. It draws those parameters from torch's global generator on the CPU (B numbers a batch),
so a run's augmentation stream is the same on every device and is captured by the resume state.
"""

from __future__ import annotations

import kornia.augmentation as K
from torch import nn

# Cutout (DeVries & Taylor 2017) erases one fixed-size square; they used a 16 px side on 32 px
# CIFAR-10 images, i.e. half the image side, which we keep as a fraction so it scales with size.
CUTOUT_SIDE_FRACTION = 0.5


def basic_batch(hflip: float = 0.5, rotation: float = 10.0) -> nn.Module:
    """The thesis' light augmentation: a horizontal flip with probability ``hflip`` and a
    rotation uniform in [-rotation, rotation] degrees, nearest-neighbour, black corners, as
    torchvision's RandomHorizontalFlip and RandomRotation do per sample."""
    return K.AugmentationSequential(
        K.RandomHorizontalFlip(p=hflip),
        # align_corners=False is torchvision's rotate; kornia's default (True) shifts by half a
        # pixel.
        K.RandomRotation(degrees=rotation, resample="nearest", align_corners=False, p=1.0),
    )


def cutout() -> nn.Module:
    # Cutout is Random Erasing with p=1, a fixed area (side**2 of the image), aspect ratio 1
    # and value 0. One difference from the paper: the square stays inside the image, whereas
    # Cutout let it overhang the border (erasing less there).
    area = CUTOUT_SIDE_FRACTION**2
    return K.RandomErasing(scale=(area, area), ratio=(1.0, 1.0), value=0.0, p=1.0)


def random_erasing() -> nn.Module:
    """Random Erasing with Zhong et al.'s settings (torchvision's defaults): p=0.5, area
    2-33 %, aspect ratio 0.3-3.3, value 0 (black, on [0, 1] images)."""
    return K.RandomErasing(scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0.0, p=0.5)

