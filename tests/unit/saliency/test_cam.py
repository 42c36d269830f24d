"""CAM methods against hand-computed hooks and pytorch-grad-cam on small fixed models."""

import numpy as np
import pytest
import torch
from pytorch_grad_cam import GradCAMPlusPlus, ScoreCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
from pytorch_grad_cam.utils.svd_on_activations import get_2d_projection
from torch import nn

from proxy_attention.models import ImageClassifier, create_classifier
from proxy_attention.saliency import normalise_maps, saliency_maps

SIZE = 16


def fixed_conv_model() -> ImageClassifier:
    """A small fully convolutional classifier with seeded weights (4 classes)."""
    torch.manual_seed(0)
    backbone = nn.Sequential(
        nn.Conv2d(3, 6, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(6, 8, 3, stride=2, padding=1),  # "2": half resolution, exercises upsampling
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(8, 4),
    )
    return ImageClassifier("fixed", backbone).eval()


def images(batch: int = 3, size: int = SIZE) -> torch.Tensor:
    return torch.rand(batch, 3, size, size, generator=torch.Generator().manual_seed(1))


def hooked_activations_and_grads(model, x, targets, layer):
    """Layer output and d(target logits)/d(output) from plain forward/backward hooks."""
    seen = {}
    fwd = layer.register_forward_hook(lambda _m, _i, out: seen.__setitem__("a", out.detach()))
    bwd = layer.register_full_backward_hook(lambda _m, _gi, go: seen.__setitem__("g", go[0]))
    try:
        logits = model(x.clone().requires_grad_())
        logits[torch.arange(len(targets)), targets].sum().backward()
    finally:
        fwd.remove()
        bwd.remove()
    model.zero_grad(set_to_none=True)
    return seen["a"], seen["g"]


@pytest.mark.parametrize("layer_name", ["1", "3"])
def test_gradcam_equals_hand_computed_hooks(layer_name):
    model, x, targets = fixed_conv_model(), images(), torch.tensor([0, 3, 1])
    acts, grads = hooked_activations_and_grads(
        model, x, targets, model.backbone.get_submodule(layer_name)
    )
    cam = torch.relu((grads.mean(dim=(2, 3), keepdim=True) * acts).sum(dim=1))
    expected = normalise_maps(cam, (SIZE, SIZE), signed=False)
    got = saliency_maps(model, x, targets, "gradcam", target_layer=layer_name)
    assert got.shape == (3, SIZE, SIZE)
    assert expected.amax() == 1.0  # the reference is a real map, not all zeros
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)


def test_vit_gradcam_equals_hooks_on_the_patch_grid():
    torch.manual_seed(0)
    model = create_classifier("vit_tiny_patch16_224", 5, image_size=32).eval()
    x, targets = images(2, 32), torch.tensor([4, 0])
    acts, grads = hooked_activations_and_grads(model, x, targets, model.backbone.blocks[-1].norm1)
    # 1 class token + a 2x2 patch grid; drop the class token, lay tokens out row-major.
    assert acts.shape == (2, 5, 192)
    grid_a = acts[:, 1:].reshape(2, 2, 2, 192).permute(0, 3, 1, 2)
    grid_g = grads[:, 1:].reshape(2, 2, 2, 192).permute(0, 3, 1, 2)
    cam = torch.relu((grid_g.mean(dim=(2, 3), keepdim=True) * grid_a).sum(dim=1))
    expected = normalise_maps(cam, (32, 32), signed=False)
    torch.testing.assert_close(
        saliency_maps(model, x, targets, "gradcam"), expected, atol=1e-5, rtol=0
    )


@pytest.mark.parametrize("layer_name", ["1", "3"])
def test_gradcampp_equals_pytorch_grad_cam(layer_name):
    model, x, targets = fixed_conv_model(), images(), [2, 0, 3]
    layer = model.backbone.get_submodule(layer_name)
    with GradCAMPlusPlus(model, [layer]) as reference:
        expected = torch.from_numpy(reference(x, [ClassifierOutputTarget(t) for t in targets]))
    model.zero_grad(set_to_none=True)
    got = saliency_maps(model, x, targets, "gradcampp", target_layer=layer_name)
    assert expected.amax() > 0.99
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=0)


def test_scorecam_equals_pytorch_grad_cam_at_full_resolution():
    # At the input's resolution no upsampling happens, where the libraries differ
    # (align_corners); the masking, scoring and channel softmax are then compared exactly.
    model, x, targets = fixed_conv_model(), images(), [1, 2, 0]
    with ScoreCAM(model, [model.backbone[1]]) as reference:
        expected = torch.from_numpy(reference(x, [ClassifierOutputTarget(t) for t in targets]))
    got = saliency_maps(model, x, targets, "scorecam", target_layer="1")
    assert expected.amax() > 0.99
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=0)


# 8x8 positions > 8 channels, and 2x2 positions < 8 channels: both Gram-matrix branches.
@pytest.mark.parametrize("size", [SIZE, 4])
def test_eigengradcam_is_the_sign_aligned_first_principal_component(size):
    model, x, targets = fixed_conv_model(), images(size=size), torch.tensor([3, 3, 1])
    acts, grads = hooked_activations_and_grads(model, x, targets, model.backbone[3])
    product = (grads * acts).numpy()
    projection = torch.from_numpy(get_2d_projection(product))  # pytorch-grad-cam's SVD
    evidence = torch.from_numpy(product.sum(axis=1))
    centred = evidence - evidence.mean(dim=(1, 2), keepdim=True)
    sign = torch.where((projection * centred).sum(dim=(1, 2)) < 0, -1.0, 1.0)
    expected = normalise_maps(projection * sign[:, None, None], (size, size), signed=False)
    got = saliency_maps(model, x, targets, "eigengradcam", target_layer="3")
    assert np.isfinite(product).all()
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=0)
