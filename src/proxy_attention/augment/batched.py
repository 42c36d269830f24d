"""Augmentations of whole batches on the training device, each image with its own parameters.

Parameters are drawn per image, as torchvision's per-sample transforms draw them, from torch's
global generator on the CPU (a few numbers a batch): a run's augmentation stream is then the
same on every device, and the resume state captures it. kornia.augmentation does this for
erasing; the flip and rotation of ``basic`` are written here (FlipRotate says why).
"""

from __future__ import annotations

import math

import kornia.augmentation as K
import torch
from torch import Tensor, nn
from torch.nn import functional as F

# Cutout (DeVries & Taylor 2017) erases one fixed-size square; they used a 16 px side on 32 px
# CIFAR-10 images, i.e. half the image side, which we keep as a fraction so it scales with size.
CUTOUT_SIDE_FRACTION = 0.5


class FlipRotate(nn.Module):
    """The thesis' light augmentation: a horizontal flip with probability ``hflip``, then a
    rotation uniform in [-rotation, rotation] degrees about the centre, nearest-neighbour, black
    corners: torchvision's RandomHorizontalFlip and RandomRotation, batched.

    Written by hand because both fold into one affine resampling: kornia runs them as two
    passes over the batch, which made the CPU data path 1.4x slower (benchmarks/data_path.py).
    The resampling is torchvision's own for rotation: grid_sample, nearest, align_corners=False.
    """

    def __init__(self, hflip: float = 0.5, rotation: float = 10.0) -> None:
        super().__init__()
        self.hflip, self.rotation = hflip, rotation

    def forward(self, images: Tensor) -> Tensor:
        b, _, h, w = images.shape
        flip = torch.where(torch.rand(b) < self.hflip, -1.0, 1.0)
        angle = torch.empty(b).uniform_(-self.rotation, self.rotation) * (math.pi / 180)
        if self.rotation == 0 and bool((flip > 0).all()):
            return images
        cos, sin = angle.cos(), angle.sin()
        # theta maps output to input pixels: output pixel p reads the input at
        # Flip(Rotate^-1(p)), the inverse rotation as torchvision builds it, in normalised
        # coordinates (the aspect terms keep the rotation rigid on non-square images).
        theta = torch.zeros(b, 2, 3)
        theta[:, 0, 0], theta[:, 0, 1] = flip * cos, -flip * sin * h / w
        theta[:, 1, 0], theta[:, 1, 1] = sin * w / h, cos
        theta = theta.to(images.device, images.dtype)
        grid = F.affine_grid(theta, list(images.shape), align_corners=False)
        return F.grid_sample(images, grid, mode="nearest", align_corners=False)


def basic_batch(hflip: float = 0.5, rotation: float = 10.0) -> nn.Module:
    """``basic`` on a batch: see FlipRotate."""
    return FlipRotate(hflip, rotation)


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
