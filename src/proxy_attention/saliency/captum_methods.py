"""Pixel attribution methods, all from Captum; each returns signed raw maps (B, H, W)."""

from __future__ import annotations

import torch
from captum.attr import (
    DeepLift,
    GuidedBackprop,
    IntegratedGradients,
    NoiseTunnel,
    Occlusion,
    Saliency,
)
from torch import nn

from .normalise import reduce_channels

IG_STEPS = 32  # Riemann steps; 32 keeps the completeness error small at a third of Captum's cost
SMOOTHGRAD_SAMPLES = 16
SMOOTHGRAD_STDEV = 0.15  # 15% of the [0, 1] pixel range, inside Smilkov et al.'s 10-20%
SMOOTHGRAD_SEED = 0
OCCLUSION_FRACTION = 8  # window = 1/8 of the image side, stride = half a window
MAX_EXPANDED_BATCH = 128  # images per forward for methods that expand the batch


def saliency(model: nn.Module, images: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Vanilla gradient |d logit / d x| (Simonyan et al. 2014)."""
    return reduce_channels(Saliency(model).attribute(images, target=targets))


def integrated_gradients(
    model: nn.Module, images: torch.Tensor, targets: torch.Tensor
) -> torch.Tensor:
    """Integrated gradients from a black image (the [0, 1] input's zero)."""
    attr = IntegratedGradients(model).attribute(
        images,
        baselines=torch.zeros_like(images),
        target=targets,
        n_steps=IG_STEPS,
        internal_batch_size=MAX_EXPANDED_BATCH,
    )
    return reduce_channels(attr)


def smoothgrad(model: nn.Module, images: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """SmoothGrad: gradients averaged over Gaussian-noised copies (Captum NoiseTunnel).

    The noise comes from a private, fixed-seed RNG stream: maps are reproducible and the
    caller's random state (data order, augmentation) is not advanced.
    """
    with torch.random.fork_rng():
        torch.manual_seed(SMOOTHGRAD_SEED)
        attr = NoiseTunnel(Saliency(model)).attribute(
            images,
            nt_type="smoothgrad",
            nt_samples=SMOOTHGRAD_SAMPLES,
            nt_samples_batch_size=max(1, MAX_EXPANDED_BATCH // images.shape[0]),
            stdevs=SMOOTHGRAD_STDEV,
            target=targets,
        )
    return reduce_channels(attr)


def guided_backprop(model: nn.Module, images: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Guided backpropagation: only positive gradients pass back through ReLUs."""
    return reduce_channels(GuidedBackprop(model).attribute(images, target=targets))


def deeplift(model: nn.Module, images: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """DeepLIFT (rescale rule) against a black baseline."""
    attr = DeepLift(model).attribute(images, baselines=torch.zeros_like(images), target=targets)
    return reduce_channels(attr)


def occlusion(model: nn.Module, images: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Drop in the target logit when a black square slides over the image (not signed:
    a negative drop means the square hid counter-evidence, so it is ReLU'd, not abs'd)."""
    side = max(2, min(images.shape[-2:]) // OCCLUSION_FRACTION)
    stride = max(1, side // 2)
    attr = Occlusion(model).attribute(
        images,
        sliding_window_shapes=(images.shape[1], side, side),
        strides=(images.shape[1], stride, stride),
        baselines=0.0,
        target=targets,
        perturbations_per_eval=max(1, MAX_EXPANDED_BATCH // images.shape[0]),
    )
    # Every channel of a pixel gets the same value; one channel is the map.
    return attr[:, 0]
