"""Class activation maps: Grad-CAM and Guided Grad-CAM via Captum, batched Grad-CAM++,
Score-CAM and EigenGradCAM in torch. Each returns raw maps (B, h, w) at the layer's size."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from captum.attr import GuidedBackprop, GuidedGradCam, LayerGradCam
from torch import nn

from .guards import layer_as_leaf
from .layers import is_token_layer, tokens_to_grid
from .normalise import reduce_channels

SCORECAM_CHUNK = 128  # masked images per forward: bounds memory, keeps BLAS busy


def _as_grid(model: nn.Module, tensor: torch.Tensor) -> torch.Tensor:
    return tokens_to_grid(tensor, model) if tensor.ndim == 3 else tensor


def _target_scores(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return logits.gather(1, targets.view(-1, 1)).squeeze(1)


def _single(store: list[torch.Tensor], layer: nn.Module) -> torch.Tensor:
    if len(store) != 1:
        raise ValueError(f"target layer {type(layer).__name__} ran {len(store)} times per forward")
    return store[0]


def activations_and_gradients(
    model: nn.Module, images: torch.Tensor, targets: torch.Tensor, layer: nn.Module
) -> tuple[torch.Tensor, torch.Tensor]:
    """A = layer output and G = d(target logit)/dA, both (B, K, h, w), from one forward and a
    backward that stops at the layer."""
    store: list[torch.Tensor] = []
    with layer_as_leaf(layer, store):
        logits = model(images)
    leaf = _single(store, layer)
    (grad,) = torch.autograd.grad(_target_scores(logits, targets).sum(), leaf)
    return _as_grid(model, leaf.detach()), _as_grid(model, grad)


def _weighted_sum(weights: torch.Tensor, acts: torch.Tensor) -> torch.Tensor:
    return torch.einsum("bk,bkhw->bhw", weights, acts)


def gradcam(
    model: nn.Module, images: torch.Tensor, targets: torch.Tensor, layer: nn.Module
) -> torch.Tensor:
    """Grad-CAM: activations weighted by their spatially averaged gradients (Captum)."""
    if is_token_layer(model, layer):
        # Captum averages gradients over dims 2+, which for (B, N, C) tokens is the channel
        # axis; token layers need the grid reshape first, so they take the hook path.
        acts, grads = activations_and_gradients(model, images, targets, layer)
        return _weighted_sum(grads.mean(dim=(2, 3)), acts)
    return LayerGradCam(model, layer).attribute(images, target=targets)[:, 0]


def guided_gradcam(
    model: nn.Module, images: torch.Tensor, targets: torch.Tensor, layer: nn.Module
) -> torch.Tensor:
    """Guided Grad-CAM: guided backprop times the upsampled, ReLU'd Grad-CAM (Captum)."""
    if not is_token_layer(model, layer):
        attr = GuidedGradCam(model, layer).attribute(
            images, target=targets, interpolate_mode="bilinear"
        )
        return reduce_channels(attr)
    # Same product as Captum's GuidedGradCam, with the token-grid Grad-CAM it cannot build.
    cam = gradcam(model, images, targets, layer).clamp_min(0)[:, None]
    cam = F.interpolate(cam, size=images.shape[-2:], mode="bilinear", align_corners=False)
    guided = GuidedBackprop(model).attribute(images, target=targets)
    return reduce_channels(guided * cam)


def gradcam_plus_plus(
    model: nn.Module, images: torch.Tensor, targets: torch.Tensor, layer: nn.Module
) -> torch.Tensor:
    """Grad-CAM++ (Chattopadhay et al. 2018, eq. 19), in pytorch-grad-cam's closed form.

    Written here because pytorch-grad-cam converts to numpy per call and torchcam 0.5's
    alpha never gets divided (it divides a boolean-indexed copy); one forward, one backward.
    """
    acts, grads = activations_and_gradients(model, images, targets, layer)
    grads2 = grads.pow(2)
    sum_acts = acts.sum(dim=(2, 3), keepdim=True)
    alpha = grads2 / (2 * grads2 + sum_acts * grads2 * grads + 1e-6)
    alpha = torch.where(grads != 0, alpha, torch.zeros_like(alpha))
    weights = (alpha * grads.clamp_min(0)).sum(dim=(2, 3))
    return _weighted_sum(weights, acts)


def eigengradcam(
    model: nn.Module, images: torch.Tensor, targets: torch.Tensor, layer: nn.Module
) -> torch.Tensor:
    """EigenGradCAM: first principal component of gradients x activations, for a batch.

    The component's sign is arbitrary; it is chosen to agree with the channel sum of
    gradients x activations, so the ReLU keeps the class evidence rather than its negative.
    """
    acts, grads = activations_and_gradients(model, images, targets, layer)
    batch, _, height, width = acts.shape
    product = (grads * acts).flatten(2).transpose(1, 2)  # (B, h*w, K)
    centred = (product - product.mean(dim=1, keepdim=True)).double()
    # The top eigenvector of the small Gram matrix instead of an SVD: torch's batched CPU SVD
    # of (64, 16, 512) takes seconds, eigh of (64, 16, 16) microseconds. Float64 because the
    # Gram squares the condition number.
    if centred.shape[1] <= centred.shape[2]:
        values, vectors = torch.linalg.eigh(centred @ centred.transpose(1, 2))
        projection = vectors[..., -1] * values[:, -1:].clamp_min(0).sqrt()
    else:
        _, vectors = torch.linalg.eigh(centred.transpose(1, 2) @ centred)
        projection = (centred @ vectors[..., -1:])[..., 0]
    projection = projection.to(acts.dtype)
    evidence = product.sum(dim=2)
    agreement = (projection * (evidence - evidence.mean(dim=1, keepdim=True))).sum(dim=1)
    sign = torch.where(agreement < 0, -1.0, 1.0).to(projection.dtype)
    return (projection * sign[:, None]).view(batch, height, width)


@torch.no_grad()
def scorecam(
    model: nn.Module, images: torch.Tensor, targets: torch.Tensor, layer: nn.Module
) -> torch.Tensor:
    """Score-CAM (Wang et al. 2020): channels weighted by the softmax over channels of the
    target logit of the image masked by each upsampled, min-max-scaled channel.

    Batched over (image, channel) masks in chunks, so memory stays bounded and no per-image
    python loop runs; matches pytorch-grad-cam's ScoreCAM (softmax over channels).
    """
    store: list[torch.Tensor] = []
    with layer_as_leaf(layer, store):
        model(images)
    acts = _as_grid(model, _single(store, layer))
    batch, channels = acts.shape[:2]
    flat = acts.reshape(batch * channels, 1, *acts.shape[2:])
    owner = torch.arange(batch, device=images.device).repeat_interleave(channels)
    scores = torch.empty(batch * channels, device=images.device, dtype=acts.dtype)
    for start in range(0, batch * channels, SCORECAM_CHUNK):
        part = slice(start, start + SCORECAM_CHUNK)
        masks = F.interpolate(
            flat[part], size=images.shape[-2:], mode="bilinear", align_corners=False
        )
        low = masks.amin(dim=(2, 3), keepdim=True)
        high = masks.amax(dim=(2, 3), keepdim=True)
        masks = (masks - low) / (high - low + 1e-8)
        logits = model(images[owner[part]] * masks)
        scores[part] = _target_scores(logits, targets[owner[part]]).to(scores.dtype)
    weights = torch.softmax(scores.view(batch, channels), dim=1)
    return _weighted_sum(weights, acts)
