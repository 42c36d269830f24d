"""Which layer a CAM method reads, per architecture family, and how ViT tokens become a grid."""

from __future__ import annotations

import math

import torch
from timm.models.convnext import ConvNeXt
from timm.models.efficientnet import EfficientNet
from timm.models.mobilenetv3 import MobileNetV3
from timm.models.resnet import ResNet
from timm.models.vgg import VGG
from timm.models.vision_transformer import VisionTransformer
from torch import nn

OPTION = "proxy.target_layer"


def backbone_of(model: nn.Module) -> nn.Module:
    """The timm network inside an ``ImageClassifier`` (or the model itself)."""
    return getattr(model, "backbone", model)


def _last_activation(features: nn.Sequential) -> nn.Module:
    # The output of the last conv block is its activation, just before the final max pool:
    # twice the resolution of the pool's output, the same evidence.
    convs = [i for i, m in enumerate(features) if isinstance(m, nn.Conv2d)]
    if not convs:
        raise ValueError(f"no Conv2d in features; set {OPTION} in params.yaml")
    last = convs[-1]
    for module in list(features)[last + 1 :]:
        if isinstance(module, nn.MaxPool2d):
            break
        last += 1
    return features[last]


def _family_layer(backbone: nn.Module) -> nn.Module | None:
    if isinstance(backbone, VisionTransformer):
        # norm1 of the last block: with a class-token head the last block's output gets no
        # gradient at the patch tokens, its attention input does.
        return backbone.blocks[-1].norm1
    if isinstance(backbone, ResNet):
        return backbone.layer4
    if isinstance(backbone, VGG):
        return _last_activation(backbone.features)
    if isinstance(backbone, EfficientNet):
        return backbone.bn2  # BatchNormAct2d: conv_head's normalised, activated features
    if isinstance(backbone, ConvNeXt):
        return backbone.stages[-1]
    if isinstance(backbone, MobileNetV3):
        # conv_head comes after the global pool here, so the last spatial map is blocks[-1].
        return backbone.blocks[-1]
    return None


def find_target_layer(model: nn.Module, override: str | None = None) -> nn.Module:
    """The CAM layer: ``override`` (a dotted path inside model.backbone) or the family default."""
    backbone = backbone_of(model)
    arch = getattr(model, "arch", type(backbone).__name__)
    if override:
        try:
            return backbone.get_submodule(override)
        except AttributeError as exc:
            raise ValueError(
                f"{OPTION}={override!r} names no module of {arch}; use a dotted path from "
                f"model.backbone.named_modules(), e.g. 'layer4'"
            ) from exc
    layer = _family_layer(backbone)
    if layer is None:
        raise ValueError(
            f"no known CAM target layer for architecture {arch!r}: set {OPTION} in params.yaml "
            f"to a dotted module path inside the timm model (e.g. 'layer4', 'stages.3')"
        )
    return layer


def is_token_layer(model: nn.Module, layer: nn.Module) -> bool:
    """True when ``layer`` emits ViT tokens (B, N, C) rather than a (B, C, h, w) feature map."""
    backbone = backbone_of(model)
    blocks = getattr(backbone, "blocks", None)
    if not hasattr(backbone, "num_prefix_tokens") or not isinstance(blocks, nn.Module):
        return False
    return any(layer is m for m in blocks.modules()) or layer is getattr(backbone, "norm", None)


def tokens_to_grid(tokens: torch.Tensor, model: nn.Module) -> torch.Tensor:
    """(B, N, C) ViT tokens -> (B, C, h, w), dropping the class/register prefix tokens."""
    backbone = backbone_of(model)
    patches = tokens[:, getattr(backbone, "num_prefix_tokens", 0) :]
    grid = getattr(getattr(backbone, "patch_embed", None), "grid_size", None)
    if grid is None or grid[0] * grid[1] != patches.shape[1]:
        side = math.isqrt(patches.shape[1])
        if side * side != patches.shape[1]:
            raise ValueError(f"cannot lay {patches.shape[1]} patch tokens out on a grid")
        grid = (side, side)
    batch, _, channels = patches.shape
    return patches.reshape(batch, grid[0], grid[1], channels).permute(0, 3, 1, 2)
