"""Augmentation registry: per-sample transforms for the Dataset, batch mixes for the loop.

Every augmentation is ``basic`` (resize, horizontal flip, small rotation) followed by itself.
Batch mixes return soft float32 targets (B, num_classes); for the other augmentations
``batch_augment`` returns None and the trainer uses the hard int64 labels (equivalent to one-hot).
"""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor

from proxy_attention.augment.mixing import BatchAugment, torchvision_mix
from proxy_attention.augment.saliency_mixing import AttentiveCutMix, SaliencyFn, SaliencyMix
from proxy_attention.augment.transforms import build_eval_transform, build_train_transform

AUGMENTATIONS: tuple[str, ...] = (
    "basic",
    "cutout",
    "random_erasing",
    "mixup",
    "cutmix",
    "augmix",
    "randaugment",
    "trivialaugment",
    "saliencymix",
    "attentive_cutmix",
)
BATCH_AUGMENTATIONS = frozenset({"mixup", "cutmix", "saliencymix", "attentive_cutmix"})
SALIENCY_AUGMENTATIONS = frozenset({"saliencymix", "attentive_cutmix"})

__all__ = [
    "AUGMENTATIONS",
    "BATCH_AUGMENTATIONS",
    "SALIENCY_AUGMENTATIONS",
    "batch_augment",
    "eval_transform",
    "requires_saliency",
    "train_transform",
]


def _check(name: str) -> None:
    if name not in AUGMENTATIONS:
        raise ValueError(
            f"unknown augmentation {name!r}; choose one of: {', '.join(AUGMENTATIONS)}"
        )


def requires_saliency(name: str) -> bool:
    """Whether the batch mix needs a saliency function (SaliencyMix, Attentive CutMix)."""
    _check(name)
    return name in SALIENCY_AUGMENTATIONS


def train_transform(
    name: str, image_size: int, hflip: float = 0.5, rotation: float = 10.0
) -> Callable[[Tensor], Tensor]:
    """Per-sample train transform: uint8 (3, H, W) -> float32 (3, size, size) in [0, 1]."""
    _check(name)
    return build_train_transform(name, image_size, hflip, rotation)


def eval_transform(image_size: int) -> Callable[[Tensor], Tensor]:
    """Eval transform: resize and convert uint8 (3, H, W) to float32 in [0, 1]."""
    return build_eval_transform(image_size)


def batch_augment(
    name: str,
    num_classes: int,
    saliency_fn: SaliencyFn | None = None,
    alpha: float = 1.0,
    *,
    grid: int = 7,
    top_k: int = 6,
) -> BatchAugment | None:
    """The batch mix for ``name`` as ``(images, labels) -> (images, soft_targets)``, else None.

    ``saliency_fn(images (B,3,H,W) in [0,1]) -> maps (B,H,W) in [0,1]`` is required for
    SaliencyMix and Attentive CutMix; ``grid`` and ``top_k`` are Attentive CutMix's.
    """
    _check(name)
    if name not in BATCH_AUGMENTATIONS:
        return None
    if name in SALIENCY_AUGMENTATIONS and saliency_fn is None:
        raise ValueError(f"augmentation {name!r} needs a saliency_fn (model saliency maps)")
    if name == "saliencymix":
        return SaliencyMix(num_classes, saliency_fn, alpha)
    if name == "attentive_cutmix":
        return AttentiveCutMix(num_classes, saliency_fn, grid, top_k)
    return torchvision_mix(name, num_classes, alpha)
