"""Small classifiers for tests that need a real timm backbone but no training."""

import torch
from timm.models.resnet import BasicBlock, ResNet

from proxy_attention.models import ImageClassifier


def tiny_resnet() -> ImageClassifier:
    """A timm ResNet (in-place ReLUs, residual ``+=``) narrow enough for unit tests."""
    torch.manual_seed(0)
    backbone = ResNet(
        BasicBlock, [1, 1, 1, 1], channels=(8, 16, 32, 64), stem_width=8, num_classes=3
    )
    return ImageClassifier("tiny_resnet", backbone).eval()
