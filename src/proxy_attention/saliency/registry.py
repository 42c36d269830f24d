"""The method registry and the one entry point every caller uses.

Adding a method is one MethodSpec in METHODS (and its test); the params schema's
``grid.proxy.methods`` enum lists the same names (a unit test checks it).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from . import cam, captum_methods
from .guards import prepared
from .layers import find_target_layer
from .normalise import normalise_maps


@dataclass(frozen=True)
class MethodSpec:
    """How to compute one method: its raw-map function and how its sign is treated."""

    name: str
    compute: Callable[..., torch.Tensor]  # (model, images, targets[, layer]) -> (B, h, w)
    needs_layer: bool  # CAM family: reads a target layer
    signed: bool  # |.| instead of ReLU when normalising
    source: str  # library the computation comes from


METHODS: dict[str, MethodSpec] = {
    s.name: s
    for s in (
        # name, function, needs_layer, signed, source
        MethodSpec("gradcam", cam.gradcam, True, False, "captum.LayerGradCam"),
        MethodSpec("gradcampp", cam.gradcam_plus_plus, True, False, "torch, batched"),
        MethodSpec("guided_gradcam", cam.guided_gradcam, True, True, "captum.GuidedGradCam"),
        MethodSpec("eigengradcam", cam.eigengradcam, True, False, "torch, batched eigh"),
        MethodSpec("scorecam", cam.scorecam, True, False, "torch, batched masks"),
        MethodSpec("saliency", captum_methods.saliency, False, True, "captum.Saliency"),
        MethodSpec(
            "integrated_gradients",
            captum_methods.integrated_gradients,
            False,
            True,
            "captum.IntegratedGradients",
        ),
        MethodSpec("smoothgrad", captum_methods.smoothgrad, False, True, "captum.NoiseTunnel"),
        MethodSpec(
            "guided_backprop", captum_methods.guided_backprop, False, True, "captum.GuidedBackprop"
        ),
        MethodSpec("deeplift", captum_methods.deeplift, False, True, "captum.DeepLift"),
        MethodSpec("occlusion", captum_methods.occlusion, False, False, "captum.Occlusion"),
    )
}


def get_method(name: str) -> MethodSpec:
    """The registry entry of ``name``; an unknown name is refused with the choices."""
    if name not in METHODS:
        raise ValueError(f"unknown saliency method {name!r}: choose one of {sorted(METHODS)}")
    return METHODS[name]


def _as_targets(
    targets: torch.Tensor | Sequence[int], batch: int, device: torch.device
) -> torch.Tensor:
    out = torch.as_tensor(targets, dtype=torch.long, device=device).reshape(-1)
    if out.numel() != batch:
        raise ValueError(f"need one target per image: {out.numel()} targets for {batch} images")
    return out


def saliency_maps(
    model: nn.Module,
    images: torch.Tensor,
    targets: torch.Tensor | Sequence[int],
    method: str,
    target_layer: str | None = None,
) -> torch.Tensor:
    """Maps (B, H, W) float32 in [0, 1] on images.device for ``targets`` (one class per image).

    ``target_layer`` overrides the CAM layer (dotted path inside model.backbone). The model is
    evaluated in eval mode and left exactly as it was: flags, requires_grad, no hooks.
    """
    spec = get_method(method)
    if images.ndim != 4:
        raise ValueError(f"expected images (B, C, H, W), got shape {tuple(images.shape)}")
    layer = find_target_layer(model, target_layer) if spec.needs_layer else None
    with prepared(model), warnings.catch_warnings():
        # Captum announces, per call, hooks it sets and removes and the input grad it enables.
        for message in ("Input Tensor 0 did not already", "Setting (forward, )?backward hooks"):
            warnings.filterwarnings("ignore", message=message, category=UserWarning)
        # Inference tensors (from torch.inference_mode) cannot enter autograd; a clone can.
        x = images.clone() if images.is_inference() else images.detach()
        y = _as_targets(targets, x.shape[0], x.device)
        args = (model, x, y, layer) if spec.needs_layer else (model, x, y)
        raw = spec.compute(*args).detach()
    return normalise_maps(raw, tuple(images.shape[-2:]), spec.signed).to(images.device)
