"""The augmentation registry: each name mapped to what it adds to ``basic`` training.

Adding an augmentation is one entry here (and its test); the params schema's
``grid.augmentations`` enum lists the same names, in this order (a unit test checks it).

An entry adds up to three kinds of step, which training runs in this order:

- ``sample_policy``: a per-sample torchvision policy on uint8 images. It runs in the loader
  (on workers where the job has threads to spare), after the per-sample ``basic`` steps.
  kornia batches RandAugment and TrivialAugment with one operation sequence per batch, not per
  image as torchvision's (and the papers') policies, and has no AugMix, so these stay
  per-sample.
- ``batch_steps``: augmentations of the whole batch on the training device (augment/batched.py),
  after ``basic`` (batched too, where there is no per-sample policy).
- ``batch_mix``: a mix of images and labels in the training loop, giving soft targets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn
from torchvision.transforms import v2

from proxy_attention.augment.batched import cutout, random_erasing
from proxy_attention.augment.mixing import BatchAugment
from proxy_attention.augment.saliency_mixing import AttentiveCutMix, SaliencyFn, SaliencyMix


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
    """One augmentation: a per-sample policy, batch steps, and/or a batch mix after ``basic``."""

    name: str
    sample_policy: Callable[[], v2.Transform] | None = None  # per sample, uint8, in the loader
    batch_steps: Callable[[], nn.Module] | None = None  # per batch, [0, 1] floats, on the device
    batch_mix: Callable[[MixRequest], BatchAugment] | None = None  # per batch: soft targets
    needs_saliency: bool = False  # batch_mix reads the model's saliency maps

    @property
    def is_batch_mix(self) -> bool:
        return self.batch_mix is not None

    @property
    def is_per_sample(self) -> bool:
        """Whether training loads this augmentation's images one by one (its policy)."""
        return self.sample_policy is not None


def _torchvision(mix: type[v2.MixUp] | type[v2.CutMix]) -> Callable[[MixRequest], BatchAugment]:
    """torchvision's MixUp or CutMix: one lambda per batch, soft float32 labels."""
    return lambda request: mix(alpha=request.alpha, num_classes=request.num_classes)


def _saliencymix(request: MixRequest) -> BatchAugment:
    return SaliencyMix(request.num_classes, request.saliency_fn, request.alpha)


def _attentive_cutmix(request: MixRequest) -> BatchAugment:
    return AttentiveCutMix(request.num_classes, request.saliency_fn, request.grid, request.top_k)


# The policies run on uint8 because torchvision's AugMix/RandAugment/TrivialAugment expect uint8
# tensors (their colour ops assume the 0..255 range).
AUGMENTATIONS: dict[str, AugmentationSpec] = {
    spec.name: spec
    for spec in (
        AugmentationSpec("basic"),
        AugmentationSpec("cutout", batch_steps=cutout),
        AugmentationSpec("random_erasing", batch_steps=random_erasing),
        AugmentationSpec("mixup", batch_mix=_torchvision(v2.MixUp)),
        AugmentationSpec("cutmix", batch_mix=_torchvision(v2.CutMix)),
        AugmentationSpec("augmix", sample_policy=v2.AugMix),
        AugmentationSpec("randaugment", sample_policy=v2.RandAugment),
        AugmentationSpec("trivialaugment", sample_policy=v2.TrivialAugmentWide),
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
