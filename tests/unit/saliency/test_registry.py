"""The saliency registry: one MethodSpec is all a method takes to reach every caller."""

import pytest
import torch
from torch import nn

from proxy_attention.saliency import METHODS, MethodSpec, get_method, registry, saliency_maps
from proxy_attention.saliency.layers import find_target_layer
from tests.helpers.models import tiny_resnet


def test_a_registered_method_is_computed_and_normalised(monkeypatch):
    calls = []

    def darkness(model, images, targets):
        calls.append(targets.tolist())
        return -images.mean(dim=1)  # signed: its magnitude is the map

    spec = MethodSpec("darkness", darkness, needs_layer=False, signed=True, source="test")
    monkeypatch.setitem(registry.METHODS, "darkness", spec)
    images = torch.zeros(1, 3, 4, 4)
    images[0, :, 0, 0] = 1.0
    images[0, :, 3, 3] = 0.5
    maps = saliency_maps(tiny_resnet(), images, [2], "darkness")
    assert calls == [[2]]
    assert maps.shape == (1, 4, 4)
    assert maps[0, 0, 0].item() == pytest.approx(1.0) and maps[0, 3, 3].item() == pytest.approx(0.5)
    assert maps[0, 1, 1].item() == 0.0


def test_a_registered_cam_method_gets_the_target_layer(monkeypatch):
    seen: list[nn.Module] = []

    def first_channel(model, images, targets, layer):
        seen.append(layer)
        return images[:, 0]

    spec = MethodSpec("first_channel", first_channel, True, False, "test")
    monkeypatch.setitem(registry.METHODS, "first_channel", spec)
    model = tiny_resnet()
    saliency_maps(model, torch.rand(2, 3, 8, 8), [0, 1], "first_channel")
    assert seen == [find_target_layer(model)]


def test_lookup_refuses_an_unknown_name_with_the_choices():
    assert get_method("gradcam") is METHODS["gradcam"]
    choices = r"unknown saliency method 'lime': choose one of \['deeplift', 'eigengradcam'"
    with pytest.raises(ValueError, match=choices):
        get_method("lime")
