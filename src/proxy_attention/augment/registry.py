"""The augmentation registry: each name mapped to what it adds to ``basic`` training.

Adding an augmentation is one entry here (and its test); the params schema's
``grid.augmentations`` enum lists the same names, in this order (a unit test checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torchvision.transforms import v2

from proxy_attention.augment.mixing import BatchAugment
from proxy_attention.augment.saliency_mixing import AttentiveCutMix, SaliencyFn, SaliencyMix
from proxy_attention.augment.transforms import cutout


@dataclass(frozen=True)
class MixRequest:
    """What a batch-mix builder may read: the run's classes, saliency and mixing settings."""

    num_classes: int
    saliency_fn: SaliencyFn | None
    alpha: float
    grid: int  # Attentive CutMix's patch grid
    top_k: int  # Attentive CutMix's pasted patches


@dataclass(frozen=True)
class AugmentationSpec:
    """One augmentation: per-sample steps after ``basic``, or a batch mix in the loop."""

    name: str
    uint8_step: Callable[[], v2.Transform] | None = None  # per sample, before ToDtype
    float_step: Callable[[], v2.Transform] | None = None  # per sample, on [0, 1] floats
    batch_mix: Callable[[MixRequest], BatchAugment] | None = None  # per batch: soft targets
    needs_saliency: bool = False  # batch_mix reads the model's saliency maps

    @property
    def is_batch_mix(self) -> bool:
        return self.batch_mix is not None


def _torchvision(mix: type[v2.MixUp] | type[v2.CutMix]) -> Callable[[MixRequest], BatchAugment]:
    """torchvision's MixUp or CutMix: one lambda per batch, soft float32 labels."""
    return lambda request: mix(alpha=request.alpha, num_classes=request.num_classes)


def _saliencymix(request: MixRequest) -> BatchAugment:
    return SaliencyMix(request.num_classes, request.saliency_fn, request.alpha)


def _attentive_cutmix(request: MixRequest) -> BatchAugment:
    return AttentiveCutMix(request.num_classes, request.saliency_fn, request.grid, request.top_k)


# The policies run on uint8 because torchvision's AugMix/RandAugment/TrivialAugment expect uint8
# tensors (their colour ops assume the 0..255 range). Erasing runs after ToDtype so value 0
# means black in [0, 1]; Random Erasing uses torchvision's defaults, which are Zhong et al.'s:
# p=0.5, area 2-33 %, aspect ratio 0.3-3.3, value 0.
AUGMENTATIONS: dict[str, AugmentationSpec] = {
    spec.name: spec
    for spec in (
        AugmentationSpec("basic"),
        AugmentationSpec("cutout", float_step=cutout),
        AugmentationSpec("random_erasing", float_step=v2.RandomErasing),
        AugmentationSpec("mixup", batch_mix=_torchvision(v2.MixUp)),
        AugmentationSpec("cutmix", batch_mix=_torchvision(v2.CutMix)),
        AugmentationSpec("augmix", uint8_step=v2.AugMix),
        AugmentationSpec("randaugment", uint8_step=v2.RandAugment),
        AugmentationSpec("trivialaugment", uint8_step=v2.TrivialAugmentWide),
        AugmentationSpec("saliencymix", batch_mix=_saliencymix, needs_saliency=True),
        AugmentationSpec("attentive_cutmix", batch_mix=_attentive_cutmix, needs_saliency=True),
    )
}


def get_augmentation(name: str) -> AugmentationSpec:
    """The registry entry of ``name``; an unknown name is refused with the choices."""
    if name not in AUGMENTATIONS:
        raise ValueError(
            f"unknown augmentation {name!r}; choose one of: {', '.join(AUGMENTATIONS)}"
        )
    return AUGMENTATIONS[name]
