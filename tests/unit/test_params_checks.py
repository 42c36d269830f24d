"""Values a user can get wrong in params.yaml: each stops loading with one line naming the key,
the value and what is allowed (issue 13, weak items)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from proxy_attention.model_checks import check_models
from proxy_attention.params import ParamsError, load_params, validate_params

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "params.yaml").read_text()
FOOD = {"source": "food101", "image_size": 32}


def _set(path: str, value):
    def change(params: dict) -> None:
        *parents, last = path.split(".")
        node = params
        for key in parents:
            node = node[key]
        node[last] = value

    return change


def _dataset(**entry):
    return _set("datasets.extra", entry)


# (id, change to the shipped params, what the one line must say)
BAD_VALUES = [
    (
        "nan-lr",
        _set("train.optimizer.lr", float("nan")),
        "train.optimizer.lr = nan is not a finite",
    ),
    (
        "inf-lr",
        _set("train.optimizer.lr", float("inf")),
        "train.optimizer.lr = inf is not a finite",
    ),
    (
        "inf-weight-decay",
        _set("train.optimizer.weight_decay", float("inf")),
        "train.optimizer.weight_decay = inf is not a finite",
    ),
    (
        "nan-threshold",
        _set("grid.proxy.thresholds", [float("nan")]),
        "grid.proxy.thresholds[0] = nan is not a finite",
    ),
    ("only-proxy", _set("grid.schedules", [["p"]]), "grid.schedules[0] = ['p'] ends with p"),
    ("ends-with-p", _set("grid.schedules", [[3, "p"]]), "its last proxy images are never trained"),
    ("absurd-epochs", _set("grid.schedules", [[10**9]]), "grid.schedules.0.0 = 1000000000"),
    (
        "absurd-total",
        _set("grid.schedules", [[9000, "p", 9000]]),
        "trains 18001 epochs; at most 10000",
    ),
    (
        "checksum-algo",
        _dataset(**FOOD, checksums={"food-101.tar.gz": "crc32:1234"}),
        "datasets.extra.checksums.food-101.tar.gz = 'crc32:1234' is not a digest; write md5:",
    ),
    (
        "checksum-length",
        _dataset(**FOOD, checksums={"food-101.tar.gz": "md5:abc"}),
        "'md5:abc' is not a digest",
    ),
    (
        "checksum-not-hex",
        _dataset(**FOOD, checksums={"food-101.tar.gz": "z" * 64}),
        "is not a digest",
    ),
    (
        "checksum-unknown-file",
        _dataset(**FOOD, checksums={"food.tgz": "0" * 32}),
        "checksums names 'food.tgz', which food101 does not download; its files: "
        "['food-101.tar.gz']",
    ),
    (
        "missing-folder",
        _dataset(source="folder", image_size=32, path="no/such/folder"),
        "datasets.extra.path = 'no/such/folder' does not exist",
    ),
    (
        "unknown-variant",
        _dataset(source="imagenette", image_size=32, variant="640px"),
        "datasets.extra.variant = '640px' is not allowed; choose one of ['160px', '320px', 'full']",
    ),
    (
        "unknown-layout-variant",
        _dataset(source="plant_village", image_size=32, variant="rgb"),
        "choose one of ['color', 'grayscale', 'segmented']",
    ),
    ("variant-of-no-variants", _dataset(**FOOD, variant="small"), "food101 has no variants"),
    (
        "folder-checksum-not-its-url",
        _dataset(
            source="folder",
            image_size=32,
            url="http://127.0.0.1/photos.zip",
            checksums={"other.zip": "0" * 64},
        ),
        "checksums names 'other.zip', which folder does not download; its files: ['photos.zip']",
    ),
]


def test_a_folder_url_checksum_names_the_file_of_its_url():
    params = yaml.safe_load(SHIPPED)
    url, digest = "http://127.0.0.1/photos.zip", "sha256:" + "0" * 64
    entry = {"source": "folder", "image_size": 32, "url": url, "checksums": {"photos.zip": digest}}
    _dataset(**entry)(params)
    assert validate_params(params)["datasets"]["extra"]["url"] == url


@pytest.mark.parametrize(
    ("change", "expected"), [c[1:] for c in BAD_VALUES], ids=[c[0] for c in BAD_VALUES]
)
def test_bad_value_is_one_line_naming_key_value_and_allowed(change, expected):
    params = yaml.safe_load(SHIPPED)
    change(params)
    with pytest.raises(ParamsError) as info:
        validate_params(params)
    message = str(info.value)
    assert expected in message and "\n" not in message


BAD_FILES = [
    (
        "duplicate-key",
        SHIPPED.replace("  lr: 0.001\n", "  lr: 0.001\n    lr: 0.1\n", 1),
        r"params.yaml:\d+:\d+: not valid YAML: duplicate key 'lr'; keep one of them",
    ),
    (
        "bad-indent",
        SHIPPED.replace("split:\n  seed: 0", "split:\n  seed: 0\n bad: 1", 1),
        r"params.yaml:\d+:\d+: not valid YAML: ",
    ),
    (
        "unclosed-list",
        SHIPPED.replace("seeds: [0, 1, 2]", "seeds: [0, 1, 2", 1),
        r"params.yaml:\d+:\d+: not valid YAML: ",
    ),
    (
        "tab",
        SHIPPED.replace("split:\n  seed: 0", "split:\n\tseed: 0", 1),
        r"params.yaml:\d+:\d+: not valid YAML: ",
    ),
]


@pytest.mark.parametrize(
    ("text", "pattern"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_broken_yaml_is_one_line_with_its_position(tmp_path, text, pattern):
    path = tmp_path / "params.yaml"
    path.write_text(text)
    with pytest.raises(ParamsError, match=pattern) as info:
        load_params(path)
    assert "\n" not in str(info.value)


BAD_MODELS = [
    (
        "unknown-model",
        {"grid.models": ["resnet_18"]},
        "grid.models = 'resnet_18' is not a timm model; use a name from timm.list_models()",
    ),
    (
        "layer-not-in-model",
        {"proxy.target_layer": "layer9"},
        "proxy.target_layer = 'layer9' is not a module of mobilenetv3_small_100",
    ),
    (
        "no-pretrained-weights",
        {"grid.models": ["test_vit4"], "train.pretrained": True},
        "timm has no pretrained weights for 'test_vit4'",
    ),
]


@pytest.mark.parametrize(
    "changes,expected", [c[1:] for c in BAD_MODELS], ids=[c[0] for c in BAD_MODELS]
)
def test_models_and_layers_are_checked_against_timm_without_downloading(
    tmp_path, changes, expected
):
    raw = yaml.safe_load(SHIPPED)
    for key, value in changes.items():
        _set(key, value)(raw)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_a_valid_layer_passes_and_is_cached(tmp_path, params):
    params["proxy"]["target_layer"] = "blocks.5"
    cache = tmp_path / "models.json"
    check_models(params, cache)
    assert any("blocks.5" in key for key in yaml.safe_load(cache.read_text()))
    params["grid"]["models"] = ["resnet_18"]
    with pytest.raises(ValueError, match="not a timm model"):
        check_models(params, cache)


def _big_grid(raw: dict, seeds: int) -> None:
    raw["grid"]["seeds"] = list(range(seeds))
    raw["grid"]["proxy"].update(
        thresholds=[i / 100 for i in range(100)], weights=[i / 100 for i in range(1, 101)]
    )


def test_a_grid_of_too_many_jobs_to_plan_is_refused_with_train_together_as_the_fix():
    raw = yaml.safe_load(SHIPPED)
    _big_grid(raw, seeds=3)  # (2 augs x (1 + 100^2) + 100^2 x 2 leak twins) x 3 seeds
    with pytest.raises(ParamsError) as info:
        validate_params(raw)
    message = str(info.value)
    assert "the grid makes about 120,006 runs, 240,012 jobs to plan" in message
    assert "set grid.train_together (e.g. [thresholds, weights])" in message
    raw["grid"]["train_together"] = ["thresholds", "weights"]
    validate_params(raw)  # the same grid in bundles: 24 jobs


def test_a_grid_of_millions_of_runs_is_refused_even_in_bundles_and_the_thesis_passes():
    raw = yaml.safe_load(SHIPPED)
    _big_grid(raw, seeds=100)
    raw["grid"]["train_together"] = ["seeds", "thresholds", "weights"]
    with pytest.raises(ParamsError, match="about 4,000,200 runs, more than the 500,000"):
        validate_params(raw)
    validate_params(yaml.safe_load((ROOT / "workflow" / "configs" / "thesis.yaml").read_text()))
    validate_params(yaml.safe_load((ROOT / "workflow" / "configs" / "thesis.yaml").read_text()))
