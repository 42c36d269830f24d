"""Batch mixes that paste by a mask or a resized image: FMix, ResizeMix, RICAP, SmoothMix,
CowMask mixing and Sample Pairing. Each returns soft targets whose partner weight is the share
of the image the partner fills.

Written here because no installed library has them batched on the device (kornia and
torchvision have MixUp and CutMix only, timm Mixup/CutMix; the official code of each is a
per-batch NumPy or JAX script). Partners are the previous sample of the shuffled batch
(mixing.partner), as in the other mixes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from proxy_attention.augment.masks import cow_mask, fourier_mask, gaussian_bump, uniform
from proxy_attention.augment.mixing import mixed_targets, partner, paste, sample_lambda


class FMix:
    """FMix (Harris et al. 2020): the partner fills a Fourier-noise mask covering a share
    lambda ~ Beta(alpha, alpha) of the image; ``decay`` is the spectrum's (the paper's 3)."""

    def __init__(self, num_classes: int, alpha: float, decay: float) -> None:
        self.num_classes, self.alpha, self.decay = num_classes, alpha, decay

    def __call__(self, images: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        b, _, h, w = images.shape
        mask = fourier_mask(sample_lambda(self.alpha), self.decay, h, w, images.device)
        return paste(images, labels, mask.expand(b, h, w), self.num_classes)


def resize_paste(
    images: Tensor, labels: Tensor, side: tuple[int, int], corner: tuple[int, int], num_classes: int
) -> tuple[Tensor, Tensor]:
    """ResizeMix's paste: the whole partner image resized to ``side`` (rows, columns) over
    each image at ``corner``; the partner's label weight is the pasted area."""
    _, _, h, w = images.shape
    (rows, cols), (top, left) = side, corner
    small = F.interpolate(partner(images), size=(rows, cols), mode="bilinear", antialias=True)
    mixed = images.clone()
    mixed[:, :, top : top + rows, left : left + cols] = small
    weight = torch.full((len(images),), rows * cols / (h * w), device=images.device)
    return mixed, mixed_targets(labels, weight, num_classes)


class ResizeMix:
    """ResizeMix (Qin et al. 2020): the partner shrunk by a scale uniform in ``scale`` (the
    paper's 0.1-0.8 of the side) and pasted at a uniform place; one draw per batch."""

    def __init__(self, num_classes: int, scale: tuple[float, float]) -> None:
        self.num_classes, self.scale = num_classes, scale

    def __call__(self, images: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        _, _, h, w = images.shape
        tau = float(uniform(*self.scale, 1, torch.device("cpu")))
        rows, cols = max(1, round(tau * h)), max(1, round(tau * w))
        top = int(torch.randint(h - rows + 1, ()))
        left = int(torch.randint(w - cols + 1, ()))
        return resize_paste(images, labels, (rows, cols), (top, left), self.num_classes)


def ricap(
    images: Tensor,
    labels: Tensor,
    boundary: tuple[int, int],
    orders: list[Tensor],
    corners: list[tuple[int, int]],
    num_classes: int,
) -> tuple[Tensor, Tensor]:
    """RICAP's patching for a boundary point (row, column): quadrant k (top-left, top-right,
    bottom-left, bottom-right) is a crop at ``corners[k]`` of image ``orders[k][i]``; the
    targets weight each of the four labels by its quadrant's area."""
    _, _, h, w = images.shape
    by, bx = boundary
    sizes = [(by, bx), (by, w - bx), (h - by, bx), (h - by, w - bx)]
    places = [(0, 0), (0, bx), (by, 0), (by, bx)]
    mixed = torch.empty_like(images)
    targets = torch.zeros(len(images), num_classes, device=images.device)
    for (rows, cols), (top, left), order, (y, x) in zip(
        sizes, places, orders, corners, strict=True
    ):
        mixed[:, :, top : top + rows, left : left + cols] = images[
            order, :, y : y + rows, x : x + cols
        ]
        onehot = F.one_hot(labels[order], num_classes).to(targets.dtype)
        targets += onehot * (rows * cols / (h * w))
    return mixed, targets


class RICAP:
    """RICAP (Takahashi et al. 2020): a boundary point with each coordinate Beta(beta, beta)
    of the side (the paper's beta 0.3), four images per output, crops at uniform places."""

    def __init__(self, num_classes: int, beta: float) -> None:
        self.num_classes, self.beta = num_classes, beta

    def __call__(self, images: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        b, _, h, w = images.shape
        by, bx = round(h * sample_lambda(self.beta)), round(w * sample_lambda(self.beta))
        sizes = [(by, bx), (by, w - bx), (h - by, bx), (h - by, w - bx)]
        orders = [torch.randperm(b).to(images.device) for _ in sizes]
        corners = [
            (int(torch.randint(h - rows + 1, ())), int(torch.randint(w - cols + 1, ())))
            for rows, cols in sizes
        ]
        return ricap(images, labels, (by, bx), orders, corners, self.num_classes)


def smooth_mix(
    images: Tensor, labels: Tensor, soft_mask: Tensor, num_classes: int
) -> tuple[Tensor, Tensor]:
    """SmoothMix's blend x = G xa + (1 - G) xb with xa the partner: the partner's label weight
    is lambda = mean(G) per image."""
    g = soft_mask[:, None].to(images.dtype)
    mixed = g * partner(images) + (1 - g) * images
    return mixed, mixed_targets(labels, soft_mask.flatten(1).mean(1), num_classes)


class SmoothMix:
    """SmoothMix (Lee et al. 2020), its Gaussian mask: a centre uniform over the image and a
    spread sigma uniform in ``sigma`` (fractions of the side) per image."""

    def __init__(self, num_classes: int, sigma: tuple[float, float]) -> None:
        self.num_classes, self.sigma = num_classes, sigma

    def __call__(self, images: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        b, _, h, w = images.shape
        device = images.device
        centres = torch.rand(b, 2).to(device) * torch.tensor([h, w], device=device)
        sigmas = uniform(*self.sigma, b, device) * min(h, w)
        return smooth_mix(images, labels, gaussian_bump(centres, sigmas, h, w), self.num_classes)


class CowMaskMix:
    """CowMask mixing (French et al. 2020): the partner fills a cow mask of proportion uniform
    in ``proportion``; its label weight is the mask's area."""

    def __init__(
        self, num_classes: int, sigma: tuple[float, float], proportion: tuple[float, float]
    ) -> None:
        self.num_classes, self.sigma, self.proportion = num_classes, sigma, proportion

    def __call__(self, images: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        b, _, h, w = images.shape
        mask = cow_mask(b, h, w, self.sigma, self.proportion, images.device)
        return paste(images, labels, mask, self.num_classes)


class SamplePairing:
    """Sample Pairing (Inoue 2018): the pixel mean of each image and its partner, the first
    image's label kept. It is on in cycles of ``on`` epochs, then off for ``off``, after
    ``warmup`` epochs off. The trainer tells it the epoch through ``set_epoch`` (the hook
    torch's DistributedSampler uses), so a resumed run is on in the same epochs."""

    def __init__(self, num_classes: int, warmup: int, on: int, off: int) -> None:
        self.num_classes, self.warmup, self.on, self.off = num_classes, warmup, on, off
        self.epoch = 1

    def set_epoch(self, epoch: int) -> None:
        """The 1-based epoch the next batches belong to."""
        self.epoch = epoch

    def is_on(self, epoch: int) -> bool:
        after = epoch - self.warmup - 1
        return after >= 0 and after % (self.on + self.off) < self.on

    def __call__(self, images: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        targets = F.one_hot(labels, self.num_classes).to(torch.float32)
        if not self.is_on(self.epoch):
            return images, targets
        return (images + partner(images)) / 2, targets
