"""Every registered method: shape, range, no NaN, and the model left exactly as it was."""

import contextlib

import pytest
import torch

from proxy_attention.saliency import METHODS, saliency_maps
from tests.helpers.models import tiny_resnet

ALL_METHODS = sorted(METHODS)


def model_state(model: torch.nn.Module) -> dict:
    """Everything a saliency call could leave behind on a model."""
    hook_dicts = (
        "_forward_hooks",
        "_forward_pre_hooks",
        "_backward_hooks",
        "_backward_pre_hooks",
        "_forward_hooks_with_kwargs",
    )
    return {
        "training": [m.training for m in model.modules()],
        "inplace": [getattr(m, "inplace", None) for m in model.modules()],
        "attributes": [sorted(vars(m)) for m in model.modules()],
        "hooks": [sum(len(getattr(m, d)) for d in hook_dicts) for m in model.modules()],
        "requires_grad": [p.requires_grad for p in model.parameters()],
        "grads": [p.grad is None for p in model.parameters()],
        "values": [p.detach().clone() for p in model.state_dict().values()],
    }


def assert_same_state(before: dict, after: dict) -> None:
    for key in ("training", "inplace", "attributes", "hooks", "requires_grad", "grads"):
        assert before[key] == after[key], key
    for old, new in zip(before["values"], after["values"], strict=True):
        assert torch.equal(old, new)


@pytest.fixture(scope="module")
def batch():
    x = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(3))
    return x, torch.tensor([0, 2])


@pytest.mark.parametrize("method", ALL_METHODS)
def test_method_gives_normalised_maps_and_leaves_model_untouched(method, batch):
    model = tiny_resnet()
    model.backbone.fc.weight.requires_grad_(False)  # a mixed pattern must survive too
    before = model_state(model)
    maps = saliency_maps(model, *batch, method)
    assert_same_state(before, model_state(model))
    assert not batch[0].requires_grad and batch[0].grad is None  # the caller's images too
    assert maps.shape == (2, 64, 64)
    assert maps.dtype == torch.float32
    assert not maps.isnan().any()
    assert maps.min() >= 0.0 and maps.max() <= 1.0
    assert maps.flatten(1).amax(1).tolist() == [1.0, 1.0]  # min-max reaches 1 per image
    assert len(torch.nn.modules.module._global_forward_hooks) == 0
    assert len(torch.nn.modules.module._global_backward_hooks) == 0


def test_registry_names_every_required_method():
    assert set(METHODS) == {
        "gradcam",
        "gradcampp",
        "guided_gradcam",
        "saliency",
        "integrated_gradients",
        "smoothgrad",
        "guided_backprop",
        "deeplift",
        "occlusion",
        "scorecam",
        "eigengradcam",
    }


@pytest.mark.parametrize("method", ["gradcam", "gradcampp", "saliency", "deeplift"])
def test_a_training_model_is_explained_in_eval_mode_and_stays_training(method, batch):
    model = tiny_resnet()
    expected = saliency_maps(model, *batch, method)
    model.train()
    got = saliency_maps(model, *batch, method)
    assert all(m.training for m in model.modules())
    # Train-mode BN would use batch statistics and give other maps.
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("context", [torch.no_grad, torch.inference_mode, contextlib.nullcontext])
@pytest.mark.parametrize("method", ["gradcam", "gradcampp", "guided_backprop", "scorecam"])
def test_grad_is_enabled_inside_whatever_the_caller_does(context, method, batch):
    model = tiny_resnet()
    expected = saliency_maps(model, *batch, method)
    with context():
        x = batch[0] * 1.0  # an inference tensor under inference_mode
        got = saliency_maps(model, x, batch[1], method)
    torch.testing.assert_close(got, expected)


def test_targets_select_the_class_per_image(batch):
    model = tiny_resnet()
    x = batch[0]
    both = saliency_maps(model, x, [1, 2], "gradcam")
    first = saliency_maps(model, x[:1], [1], "gradcam")
    second = saliency_maps(model, x[1:], torch.tensor([2]), "gradcam")
    torch.testing.assert_close(both, torch.cat([first, second]), atol=1e-5, rtol=0)
    assert not torch.allclose(saliency_maps(model, x[:1], [0], "gradcam"), first)


def test_bad_arguments_are_named(batch):
    model = tiny_resnet()
    with pytest.raises(ValueError, match="unknown saliency method 'gradcam\\+\\+'"):
        saliency_maps(model, *batch, "gradcam++")
    with pytest.raises(ValueError, match="one target per image"):
        saliency_maps(model, batch[0], [0, 1, 2], "saliency")


@pytest.mark.parametrize("method", ["gradcam", "gradcampp", "eigengradcam", "scorecam"])
def test_a_layer_whose_output_is_modified_in_place(method, batch):
    # layer4.0.bn2 feeds timm's residual ``x += shortcut``, an in-place op on the layer output.
    maps = saliency_maps(tiny_resnet(), *batch, method, target_layer="layer4.0.bn2")
    assert maps.shape == (2, 64, 64) and not maps.isnan().any()


def test_smoothgrad_is_reproducible_and_leaves_the_callers_rng_alone(batch):
    model = tiny_resnet()
    torch.manual_seed(7)
    expected_next = torch.rand(3)
    torch.manual_seed(7)
    first = saliency_maps(model, *batch, "smoothgrad")
    assert torch.equal(torch.rand(3), expected_next)
    torch.testing.assert_close(saliency_maps(model, *batch, "smoothgrad"), first)
    assert not torch.allclose(first, saliency_maps(model, *batch, "saliency"))  # noise acts
