"""Classifiers from timm behind one input convention: un-normalised images in [0, 1]."""

from __future__ import annotations

import timm
import torch
from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ImageClassifier(nn.Module):
    """A timm backbone with ImageNet normalisation inside the input path.

    Everything outside the model (augmentation, saliency, proxy images) works on images in
    [0, 1]; normalising here keeps saliency maps and proxy images in pixel space.
    """

    def __init__(self, arch: str, backbone: nn.Module) -> None:
        super().__init__()
        self.arch = arch
        self.backbone = backbone
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.backbone((images - self.mean) / self.std)


def create_classifier(
    arch: str, num_classes: int, pretrained: bool = False, image_size: int | None = None
) -> ImageClassifier:
    """Build ``arch`` from timm's registry with a fresh ``num_classes``-way head."""
    if arch not in timm.list_models() and arch not in timm.list_models(pretrained=True):
        raise ValueError(
            f"unknown model {arch!r}: use a name from timm.list_models(), e.g. resnet18"
        )
    kwargs = {}
    # ViTs fix their patch grid at construction; other families ignore img_size.
    if image_size is not None and arch.startswith(("vit_", "deit_", "swin_")):
        kwargs["img_size"] = image_size
    backbone = timm.create_model(arch, pretrained=pretrained, num_classes=num_classes, **kwargs)
    # Channels-last convolutions: +35% training throughput for mobilenetv3_small_100 and +15%
    # for resnet18 on CPU (benchmarks/training_loop.py), and the layout AMP prefers on GPUs.
    return ImageClassifier(arch, backbone).to(memory_format=torch.channels_last)
