"""Augmentations: batch steps on the training device, per-sample policies, batch mixes.

Every augmentation is ``basic`` (horizontal flip, small rotation) followed by itself, as its
entry in augment/registry.py says. Batch mixes return soft float32 targets
(B, num_classes); for the other augmentations ``batch_augment`` returns None and the trainer
uses the hard int64 labels (equivalent to one-hot).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from torch import Tensor, nn

from proxy_attention.augment.batched import basic_batch
from proxy_attention.augment.mixing import BatchAugment
from proxy_attention.augment.registry import (
    AUGMENTATIONS,
    AugmentationSpec,
    MixRequest,
    get_augmentation,
)
from proxy_attention.augment.saliency_mixing import SaliencyFn
from proxy_attention.augment.transforms import build_eval_transform, build_sample_transform

__all__ = [
    "AUGMENTATIONS",
    "AugmentationSpec",
    "MixRequest",
    "batch_augment",
    "eval_transform",
    "get_augmentation",
    "loads_per_sample",
    "batch_transform",
    "masking_defaults",
    "requires_saliency",
    "sample_transform",
]


def loads_per_sample(name: str) -> bool:
    """Whether training loads ``name``'s images one by one in the loader (its per-sample
    policy), rather than gathering and augmenting whole batches on the device."""
    return get_augmentation(name).is_per_sample


def requires_saliency(name: str) -> bool:
    """Whether the batch mix needs a saliency function (SaliencyMix, Attentive CutMix)."""
    return get_augmentation(name).needs_saliency


def sample_transform(
    name: str, image_size: int, hflip: float = 0.5, rotation: float = 10.0
) -> Callable[[Tensor], Tensor]:
    """The loader's per-sample steps of a per-sample policy (``basic``, then the policy):
    uint8 (3, H, W) -> float32 (3, size, size) in [0, 1]."""
    spec = get_augmentation(name)
    if not loads_per_sample(name):
        raise ValueError(f"augmentation {name!r} runs batched: use batch_transform")
    return build_sample_transform(image_size, hflip, rotation, spec.sample_policy)


@cache
def _schema_masking_defaults() -> tuple[tuple[str, Any], ...]:
    from proxy_attention.params import load_schema

    train = load_schema()["properties"]["train"]["properties"]
    return tuple((key, node["default"]) for key, node in train["masking"]["properties"].items())


def masking_defaults() -> dict[str, Any]:
    """params.yaml ``train.masking`` as the schema's defaults (the paper values it cites)."""
    return dict(_schema_masking_defaults())


def batch_transform(
    name: str,
    hflip: float = 0.5,
    rotation: float = 10.0,
    masking: Mapping[str, Any] | None = None,
) -> nn.Module:
    """The device's batch steps of ``name`` on float (B, 3, H, W) in [0, 1]: ``basic`` (unless
    the loader ran it per sample, with the policy) and the augmentation's own batch steps,
    with ``masking`` (params.yaml train.masking; None: its defaults)."""
    spec = get_augmentation(name)
    steps = [] if loads_per_sample(name) else [basic_batch(hflip, rotation)]
    if spec.batch_steps is not None:
        steps.append(spec.batch_steps(masking_defaults() if masking is None else masking))
    return nn.Sequential(*steps)


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
    masking: Mapping[str, Any] | None = None,
) -> BatchAugment | None:
    """The batch mix for ``name`` as ``(images, labels) -> (images, soft_targets)``, else None.

    ``saliency_fn(images (B,3,H,W) in [0,1]) -> maps (B,H,W) in [0,1]`` is required for
    the saliency-guided mixes (``requires_saliency``); SnapMix also passes the classes to
    explain, ``saliency_fn(images, classes)``. ``grid`` and ``top_k`` are Attentive CutMix's;
    ``masking`` (params.yaml train.masking; None: its defaults) the other mixes' settings.
    """
    spec = get_augmentation(name)
    if spec.batch_mix is None:
        return None
    if spec.needs_saliency and saliency_fn is None:
        raise ValueError(f"augmentation {name!r} needs a saliency_fn (model saliency maps)")
    masking = masking_defaults() if masking is None else masking
    return spec.batch_mix(MixRequest(num_classes, saliency_fn, alpha, grid, top_k, masking))
