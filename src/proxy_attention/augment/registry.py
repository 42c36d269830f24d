"""The augmentation registry: each name mapped to what it adds to ``basic`` training.

Adding an augmentation is one entry here (and its test); the params schema's
``$defs.augmentation`` enum and augment_chains.KINDS list the same names, in this order (unit
tests check both). A grid entry may chain entries with ``+`` (augment_chains.py): the chain is
one spec composed here.

An entry adds up to three kinds of step, which training runs in this order:

- ``sample_policy``: a per-sample torchvision policy on uint8 images. It runs in the loader
  (on workers where the job has threads to spare), after the per-sample ``basic`` steps.
  kornia batches AutoAugment, RandAugment and TrivialAugment with one operation sequence per
  batch, not per image as torchvision's (and the papers') policies, and has no AugMix, so these
  stay per-sample.
- ``batch_steps``: augmentations of the whole batch on the training device (augment/batched.py),
  after ``basic`` (batched too, where there is no per-sample policy).
- ``batch_mix``: a mix of images and labels in the training loop, giving soft targets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from torch import nn
from torchvision.transforms import v2

from proxy_attention.augment import mask_mixing
from proxy_attention.augment.batched import cutout, random_erasing
from proxy_attention.augment.erasing import cowmask_erase, gridmask, hide_and_seek
from proxy_attention.augment.mixing import BatchAugment
from proxy_attention.augment.puzzle_mix import PuzzleMix, PuzzleSettings
from proxy_attention.augment.saliency_guided import KeepAugment, SnapMix
from proxy_attention.augment.saliency_mixing import AttentiveCutMix, SaliencyFn, SaliencyMix
from proxy_attention.augment_chains import chain_parts


@dataclass(frozen=True)
class MixRequest:
    """What a batch-mix builder may read: the run's classes, saliency and mixing settings."""

    num_classes: int
    saliency_fn: SaliencyFn | None
    alpha: float
    grid: int  # Attentive CutMix's patch grid
    top_k: int  # Attentive CutMix's pasted patches
    masking: Mapping[str, Any] = field(default_factory=dict)  # params.yaml train.masking


@dataclass(frozen=True)
class AugmentationSpec:
    """One augmentation: a per-sample policy, batch steps, and/or a batch mix after ``basic``."""

    name: str
    sample_policy: Callable[[], v2.Transform] | None = None  # per sample, uint8, in the loader
    # per batch, [0, 1] floats, on the device; built from params.yaml train.masking
    batch_steps: Callable[[Mapping[str, Any]], nn.Module] | None = None
    batch_mix: Callable[[MixRequest], BatchAugment] | None = None  # per batch: soft targets
    needs_saliency: bool = False  # batch_mix reads the model's saliency maps

    @property
    def is_batch_mix(self) -> bool:
        return self.batch_mix is not None

    @property
    def is_per_sample(self) -> bool:
        """Whether training loads this augmentation's images one by one (its policy)."""
        return self.sample_policy is not None

    @property
    def kind(self) -> str:
        """Its kind in a chain (augment_chains.KINDS): policy, steps, mix, or basic."""
        if self.sample_policy is not None:
            return "policy"
        if self.batch_mix is not None:
            return "mix"
        return "basic" if self.batch_steps is None else "steps"


def _torchvision(mix: type[v2.MixUp] | type[v2.CutMix]) -> Callable[[MixRequest], BatchAugment]:
    """torchvision's MixUp or CutMix: one lambda per batch, soft float32 labels."""
    return lambda request: mix(alpha=request.alpha, num_classes=request.num_classes)


def _saliencymix(request: MixRequest) -> BatchAugment:
    return SaliencyMix(request.num_classes, request.saliency_fn, request.alpha)


def _attentive_cutmix(request: MixRequest) -> BatchAugment:
    return AttentiveCutMix(request.num_classes, request.saliency_fn, request.grid, request.top_k)


def _mix(build: Callable[..., BatchAugment], *keys: str) -> Callable[[MixRequest], BatchAugment]:
    """A builder passing the classes and the train.masking ``keys`` (ranges as tuples)."""

    def from_request(request: MixRequest) -> BatchAugment:
        values = [request.masking[key] for key in keys]
        return build(request.num_classes, *(_tuple(v) for v in values))

    return from_request


def _tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _fmix(request: MixRequest) -> BatchAugment:
    return mask_mixing.FMix(request.num_classes, request.alpha, request.masking["fmix_decay"])


def _keepaugment(request: MixRequest) -> BatchAugment:
    side = request.masking["keepaugment_side"]
    return KeepAugment(request.num_classes, request.saliency_fn, side)


def _snapmix(request: MixRequest) -> BatchAugment:
    return SnapMix(request.num_classes, request.saliency_fn, request.masking["snapmix_beta"])


def _puzzlemix(request: MixRequest) -> BatchAugment:
    names = ("n_labels", "eta", "beta", "gamma", "neigh_size", "t_size", "t_eps")
    settings = PuzzleSettings(**{name: request.masking[f"puzzlemix_{name}"] for name in names})
    return PuzzleMix(request.num_classes, request.saliency_fn, request.alpha, settings)


def _steps(build: Callable[[], nn.Module]) -> Callable[[Mapping[str, Any]], nn.Module]:
    """Batch steps with no settings of their own."""
    return lambda masking: build()


# The policies run on uint8 because torchvision's AugMix, AutoAugment, RandAugment and
# TrivialAugment expect uint8 tensors (their colour ops assume the 0..255 range).
AUGMENTATIONS: dict[str, AugmentationSpec] = {
    spec.name: spec
    for spec in (
        AugmentationSpec("basic"),
        AugmentationSpec("cutout", batch_steps=_steps(cutout)),
        AugmentationSpec("random_erasing", batch_steps=_steps(random_erasing)),
        AugmentationSpec("mixup", batch_mix=_torchvision(v2.MixUp)),
        AugmentationSpec("cutmix", batch_mix=_torchvision(v2.CutMix)),
        AugmentationSpec("augmix", sample_policy=v2.AugMix),
        AugmentationSpec("randaugment", sample_policy=v2.RandAugment),
        AugmentationSpec("trivialaugment", sample_policy=v2.TrivialAugmentWide),
        AugmentationSpec("saliencymix", batch_mix=_saliencymix, needs_saliency=True),
        AugmentationSpec("attentive_cutmix", batch_mix=_attentive_cutmix, needs_saliency=True),
        AugmentationSpec("autoaugment", sample_policy=v2.AutoAugment),  # its ImageNet policy
        AugmentationSpec("gridmask", batch_steps=gridmask),
        AugmentationSpec("hide_and_seek", batch_steps=hide_and_seek),
        AugmentationSpec("cowmask_erase", batch_steps=cowmask_erase),
        AugmentationSpec("keepaugment", batch_mix=_keepaugment, needs_saliency=True),
        AugmentationSpec("fmix", batch_mix=_fmix),
        AugmentationSpec("resizemix", batch_mix=_mix(mask_mixing.ResizeMix, "resizemix_scale")),
        AugmentationSpec("ricap", batch_mix=_mix(mask_mixing.RICAP, "ricap_beta")),
        AugmentationSpec("smoothmix", batch_mix=_mix(mask_mixing.SmoothMix, "smoothmix_sigma")),
        AugmentationSpec(
            "cowmask_mix",
            batch_mix=_mix(mask_mixing.CowMaskMix, "cowmask_sigma", "cowmask_mix_proportion"),
        ),
        AugmentationSpec("snapmix", batch_mix=_snapmix, needs_saliency=True),
        AugmentationSpec(
            "sample_pairing",
            batch_mix=_mix(
                mask_mixing.SamplePairing,
                "sample_pairing_warmup",
                "sample_pairing_on",
                "sample_pairing_off",
            ),
        ),
        AugmentationSpec("puzzlemix", batch_mix=_puzzlemix, needs_saliency=True),
    )
}


def get_augmentation(name: str) -> AugmentationSpec:
    """The registry entry of ``name``, or a chain's entries composed into one; an unknown name
    is refused with the choices. (The params checks refuse a chain training cannot run.)"""
    parts = chain_parts(name)
    unknown = [part for part in parts if part not in AUGMENTATIONS]
    if unknown:
        raise ValueError(
            f"unknown augmentation {unknown[0]!r}; choose one of: {', '.join(AUGMENTATIONS)}"
        )
    if len(parts) == 1:
        return AUGMENTATIONS[name]
    return _chain(tuple(parts))


@cache
def _chain(parts: tuple[str, ...]) -> AugmentationSpec:
    """One spec running each part's steps in the chain's order: its policy, every part's batch
    steps, its mix."""
    specs = [AUGMENTATIONS[part] for part in parts]
    policies = [s.sample_policy for s in specs if s.sample_policy is not None]
    mixes = [s for s in specs if s.batch_mix is not None]
    step_builders = [s.batch_steps for s in specs if s.batch_steps is not None]
    if len(policies) > 1 or len(mixes) > 1:
        raise ValueError(f"a chain takes at most one policy and one batch mix, not {parts}")

    def batch_steps(masking: Mapping[str, Any]) -> nn.Module:
        return nn.Sequential(*(build(masking) for build in step_builders))

    return AugmentationSpec(
        "+".join(parts),
        sample_policy=policies[0] if policies else None,
        batch_steps=batch_steps if step_builders else None,
        batch_mix=mixes[0].batch_mix if mixes else None,
        needs_saliency=any(s.needs_saliency for s in specs),
    )
