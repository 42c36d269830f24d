"""Target layers per architecture family, the ViT token grid, and the unknown-architecture error."""

import pytest
import timm
import torch
from timm.models.vgg import VGG
from torch import nn

from proxy_attention.models import ImageClassifier, create_classifier
from proxy_attention.saliency import find_target_layer, saliency_maps


def output_shape(model: nn.Module, layer: nn.Module, x: torch.Tensor) -> tuple[int, ...]:
    seen = []
    handle = layer.register_forward_hook(lambda _m, _i, out: seen.append(out.shape))
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    return tuple(seen[0])


def test_embedded_default_has_a_real_cam_grid_and_a_non_constant_map():
    torch.manual_seed(0)
    model = create_classifier("mobilenetv3_small_100", 10).eval()
    x = torch.rand(2, 3, 128, 128, generator=torch.Generator().manual_seed(0))
    layer = find_target_layer(model)
    assert layer is model.backbone.blocks[-1]
    _, _, h, w = output_shape(model, layer, x)
    assert h >= 4 and w >= 4
    maps = saliency_maps(model, x, [3, 7], "gradcam")
    assert maps.shape == (2, 128, 128)
    assert (maps.flatten(1).std(dim=1) > 0.05).all()


@pytest.mark.parametrize(
    ("arch", "layer_path", "size"),
    [("resnet18", "layer4", 64), ("vit_tiny_patch16_224", "blocks.11.norm1", 64)],
)
def test_family_layers_give_maps_of_the_image_shape(arch, layer_path, size):
    torch.manual_seed(0)
    model = create_classifier(arch, 10, image_size=size).eval()
    assert find_target_layer(model) is model.backbone.get_submodule(layer_path)
    x = torch.rand(3, 3, size, size, generator=torch.Generator().manual_seed(1))
    for method in ("gradcam", "gradcampp"):
        maps = saliency_maps(model, x, [0, 5, 9], method)
        assert maps.shape == (3, size, size)
        # A random net's CAM may be negative everywhere for a class (-> zeros); not all three.
        assert maps.min() >= 0.0 and maps.max() == 1.0


@pytest.mark.parametrize(
    ("arch", "layer_path"),
    [("efficientnet_b0", "bn2"), ("convnext_atto", "stages.3"), ("resnet18", "layer4")],
)
def test_cnn_families(arch, layer_path):
    model = ImageClassifier(arch, timm.create_model(arch, num_classes=3))
    assert find_target_layer(model) is model.backbone.get_submodule(layer_path)


def test_vgg_uses_the_last_conv_block_activation_before_the_final_pool():
    model = ImageClassifier("vgg_tiny", VGG([8, "M", 16, 16, "M"], num_classes=3, mlp_ratio=0.01))
    assert find_target_layer(model) is model.backbone.features[6]  # conv, relu, <pool>


def test_override_is_a_dotted_path_inside_the_backbone():
    model = create_classifier("resnet18", 3)
    assert find_target_layer(model, "layer3.1.conv2") is model.backbone.layer3[1].conv2
    with pytest.raises(ValueError, match="proxy.target_layer='layer9'"):
        find_target_layer(model, "layer9")


def test_unknown_architecture_names_the_option():
    backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten())
    model = ImageClassifier("mystery_net", backbone)
    with pytest.raises(ValueError, match=r"'mystery_net'.*proxy\.target_layer.*params\.yaml"):
        find_target_layer(model)
    with pytest.raises(ValueError, match=r"proxy\.target_layer"):
        saliency_maps(model, torch.rand(1, 3, 8, 8), [0], "gradcam")
    # Pixel-attribution methods need no layer, so they still work.
    assert saliency_maps(model, torch.rand(1, 3, 8, 8), [0], "saliency").shape == (1, 8, 8)
