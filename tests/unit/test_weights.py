"""The weights step: every pretrained model of the grid created once, then the marker."""

import json

import timm

from proxy_attention.weights import cache_env, fetch_weights, grid_models


def test_grid_models_only_when_pretrained(params):
    params["grid"]["models"] = ["resnet18", "vgg16"]
    params["train"]["pretrained"] = False
    assert grid_models(params) == []
    params["train"]["pretrained"] = True
    assert grid_models(params) == ["resnet18", "vgg16"]


def test_fetch_creates_each_model_pretrained_then_writes_the_marker(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(timm, "create_model", lambda name, **kw: calls.append((name, kw)))
    marker = tmp_path / "cache" / "ready.json"
    fetch_weights(["resnet18", "vgg16"], marker)
    assert calls == [("resnet18", {"pretrained": True}), ("vgg16", {"pretrained": True})]
    assert json.loads(marker.read_text())["models"] == ["resnet18", "vgg16"]


def test_the_cache_lies_inside_data_and_training_is_offline():
    env = cache_env()
    assert env["HF_HOME"].startswith("data/") and env["TORCH_HOME"].startswith("data/")
    assert env["HF_HUB_OFFLINE"] == "1" and "HF_HUB_OFFLINE" not in cache_env(offline=False)
