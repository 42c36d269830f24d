"""KeepAugment and SnapMix: augmentations that read the model's saliency (the project's
``saliency_maps`` call, as SaliencyMix and Attentive CutMix do).

Written here because no installed library has them: both need the model being trained, which
only the training loop has, so both are batch mixes (KeepAugment keeps the labels: its targets
are one-hot).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from proxy_attention.augment.batched import CUTOUT_SIDE_FRACTION
from proxy_attention.augment.mixing import box_mask, partner, sample_lambda
from proxy_attention.augment.saliency_mixing import SaliencyFn, _check_maps


def top_saliency_box(maps: Tensor, side: int) -> tuple[Tensor, Tensor]:
    """Top-left corners (rows, columns) of each map's side x side window of most saliency."""
    _, h, w = maps.shape
    mass = F.avg_pool2d(maps[:, None], side, stride=1)[:, 0]
    best = mass.flatten(1).argmax(1)
    return best // (w - side + 1), best % (w - side + 1)


def keep_cutout(
    images: Tensor, maps: Tensor, cut: tuple[Tensor, Tensor], cut_side: int, keep_side: int
) -> tuple[Tensor, Tensor]:
    """KeepAugment's Cutout (Gong et al. 2021), selective paste: erase the cut_side square at
    ``cut`` (top-left rows and columns) except the keep_side window of most saliency, which is
    never erased. Returns the images and the erased mask (B, H, W)."""
    _check_maps(images, maps)
    _, _, h, w = images.shape
    ky, kx = top_saliency_box(maps, keep_side)
    cy, cx = cut
    cutout = box_mask(cy, cy + cut_side, cx, cx + cut_side, h, w)
    keep = box_mask(ky, ky + keep_side, kx, kx + keep_side, h, w)
    erased = cutout & ~keep
    return images.masked_fill(erased[:, None], 0.0), erased


class KeepAugment:
    """KeepAugment with Cutout's square (half the side) at a uniform place inside the image and
    a kept window of ``keep_side`` of the side; labels kept."""

    def __init__(self, num_classes: int, saliency_fn: SaliencyFn, keep_side: float) -> None:
        self.num_classes, self.saliency_fn, self.keep_side = num_classes, saliency_fn, keep_side

    def __call__(self, images: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        b, _, h, w = images.shape
        cut_side = max(1, round(CUTOUT_SIDE_FRACTION * min(h, w)))
        keep_side = max(1, round(self.keep_side * min(h, w)))
        corner = (torch.rand(b, 2) * torch.tensor([h - cut_side + 1, w - cut_side + 1])).long()
        cut = corner[:, 0].to(images.device), corner[:, 1].to(images.device)
        maps = self.saliency_fn(images).detach()
        erased, _ = keep_cutout(images, maps, cut, cut_side, keep_side)
        return erased, F.one_hot(labels, self.num_classes).to(torch.float32)


Box = tuple[int, int, int, int]  # top, bottom, left, right: rows [top, bottom), cols [left, right)


def snapmix(
    images: Tensor, labels: Tensor, cams: Tensor, own: Box, pasted: Box, num_classes: int
) -> tuple[Tensor, Tensor]:
    """SnapMix (Huang et al. 2021) for given boxes: the partner's ``pasted`` box, resized, over
    each image's ``own`` box. ``cams`` are each image's class activation maps for its label; each
    is normalised to unit mass, the own label keeps 1 - its mass in ``own`` and the partner's
    label gets its mass in ``pasted`` (the weights need not sum to one). Pairs with the same
    label add both weights, as the official code does."""
    _check_maps(images, cams)
    _, _, h, w = images.shape
    # A map without mass weighs by area, as the official code does with its NaN weights.
    empty = cams.flatten(1).sum(1) <= 0
    cams = torch.where(empty[:, None, None], torch.ones_like(cams), cams)
    mass = cams / cams.flatten(1).sum(1)[:, None, None]
    (t, b, left, r), (pt, pb, pl, pr) = own, pasted
    patch = partner(images)[:, :, pt:pb, pl:pr]
    mixed = images.clone()
    mixed[:, :, t:b, left:r] = F.interpolate(
        patch, size=(b - t, r - left), mode="bilinear", align_corners=True
    )
    own_weight = 1 - mass[:, t:b, left:r].flatten(1).sum(1)
    partner_weight = partner(mass)[:, pt:pb, pl:pr].flatten(1).sum(1)
    same = labels == partner(labels)
    own_weight, partner_weight = (
        torch.where(same, own_weight + partner_weight, own_weight),
        torch.where(same, partner_weight + own_weight, partner_weight),
    )
    onehot = F.one_hot(labels, num_classes).to(torch.float32)
    return mixed, own_weight[:, None] * onehot + partner_weight[:, None] * partner(onehot)


def _cutmix_box(lam: float, h: int, w: int) -> Box:
    """CutMix's box of area (1 - lam) at a uniform centre, clipped at the border."""
    rows, cols = int(h * (1 - lam) ** 0.5), int(w * (1 - lam) ** 0.5)
    cy, cx = int(torch.randint(h, ())), int(torch.randint(w, ()))
    top, left = max(cy - rows // 2, 0), max(cx - cols // 2, 0)
    return top, min(cy + rows // 2, h), left, min(cx + cols // 2, w)


class SnapMix:
    """SnapMix with two CutMix boxes of Beta(beta, beta) areas (the paper's beta 5) and the
    model's CAMs for the true labels: ``saliency_fn(images, classes)``."""

    def __init__(self, num_classes: int, saliency_fn: SaliencyFn, beta: float) -> None:
        self.num_classes, self.saliency_fn, self.beta = num_classes, saliency_fn, beta

    def __call__(self, images: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        _, _, h, w = images.shape
        own = _cutmix_box(sample_lambda(self.beta), h, w)
        pasted = _cutmix_box(sample_lambda(self.beta), h, w)
        if own[0] == own[1] or own[2] == own[3] or pasted[0] == pasted[1] or pasted[2] == pasted[3]:
            return images, F.one_hot(labels, self.num_classes).to(torch.float32)
        cams = self.saliency_fn(images, labels).detach()
        return snapmix(images, labels, cams, own, pasted, self.num_classes)
