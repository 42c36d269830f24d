"""params.yaml validation: every kind of bad value stops with a message naming it."""

from pathlib import Path

import pytest
import yaml

from proxy_attention.params import ParamsError, load_params, validate_params

ROOT = Path(__file__).resolve().parents[2]


def shipped() -> dict:
    return yaml.safe_load((ROOT / "params.yaml").read_text())


def error_for(change) -> str:
    raw = shipped()
    change(raw)
    with pytest.raises(ParamsError) as info:
        validate_params(raw)
    return str(info.value)


def test_shipped_params_are_valid_and_defaults_are_filled():
    params = load_params(ROOT / "params.yaml")
    assert params["train"]["optimizer"]["weight_decay"] == 1e-5
    assert params["grid"]["proxy"]["modes"] == ["blended"]
    assert params["datasets"]["digits"]["max_bad_fraction"] == 0.01


def test_unknown_key_is_named_with_the_allowed_keys():
    message = error_for(lambda p: p["train"].update(bacth_size=3))
    assert "unknown key train.bacth_size" in message
    assert "batch_size" in message


def test_wrong_type_names_key_value_and_type():
    message = error_for(lambda p: p["train"].update(batch_size="big"))
    assert "train.batch_size = 'big'" in message and "integer" in message


def test_out_of_range_names_the_bound():
    message = error_for(lambda p: p["train"].update(batch_size=0))
    assert "train.batch_size = 0" in message and ">= 1" in message
    message = error_for(lambda p: p["grid"]["proxy"].update(thresholds=[1.5]))
    assert "grid.proxy.thresholds.0 = 1.5" in message and "<= 1" in message


def test_enum_lists_the_choices():
    message = error_for(lambda p: p["grid"].update(augmentations=["cutmixx"]))
    assert "'cutmixx'" in message and "cutmix" in message and "randaugment" in message


def test_bad_schedule_item_explains_the_format():
    message = error_for(lambda p: p["grid"].update(schedules=[[3, "q"]]))
    assert "grid.schedules.0.1 = 'q'" in message and "p (one epoch, then the proxy step)" in message


def test_missing_section_is_named():
    message = error_for(lambda p: p.pop("split"))
    assert "'split' is a required property" in message


def test_cross_key_checks():
    message = error_for(lambda p: p["grid"].update(datasets=["cifar100"]))
    assert "grid.datasets = 'cifar100' is not defined" in message
    message = error_for(lambda p: p["split"].update(val_fraction=0.5, test_fraction=0.5))
    assert "must be < 1" in message


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ParamsError, match="no such params file"):
        load_params(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("train: [unclosed\n")
    with pytest.raises(ParamsError, match="not valid YAML"):
        load_params(bad)


def test_schema_enums_match_the_registries():
    from proxy_attention.augment import AUGMENTATIONS
    from proxy_attention.params import load_schema
    from proxy_attention.proxy.images import MODES
    from proxy_attention.saliency import METHODS

    schema = load_schema()
    grid = schema["properties"]["grid"]["properties"]
    assert set(schema["$defs"]["augmentation"]["anyOf"][0]["enum"]) == set(AUGMENTATIONS)
    assert set(grid["proxy"]["properties"]["methods"]["items"]["enum"]) == set(METHODS)
    assert set(grid["proxy"]["properties"]["modes"]["items"]["enum"]) == set(MODES)


@pytest.mark.parametrize(
    ("where", "value"),
    [("grid.seeds", 2**32), ("split.seed", 2**32), ("grid.seeds", 4294958)],
)
def test_seeds_past_what_the_generators_take_are_refused(where, value):
    def change(raw):
        if where == "grid.seeds":
            raw["grid"]["seeds"] = [0, value]
        else:
            raw["split"]["seed"] = value

    message = error_for(change)
    assert f"= {value} is out of range; must be <=" in message


def _write(tmp_path, text: str):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return path


def test_yaml_merge_keys_work_and_later_keys_override(tmp_path):
    text = (
        (ROOT / "params.yaml")
        .read_text()
        .replace(
            "  digits:                 # scikit-learn's",
            "  digits: &digits          # scikit-learn's",
        )
    )
    text = text.replace("\nsplit:", "  small:\n    <<: *digits\n    image_size: 32\n\nsplit:", 1)
    params = load_params(_write(tmp_path, text))
    assert params["datasets"]["small"]["source"] == "digits"
    assert params["datasets"]["small"]["image_size"] == 32
    assert params["datasets"]["digits"]["image_size"] == 112


def test_an_alias_bomb_is_refused_in_one_line(tmp_path):
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    assert len(path.read_bytes()) < 1300  # 10^10 values, written in 1.2 KB
    with pytest.raises(ParamsError, match="aliases .* expand to more than 100000 values"):
        load_params(path)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.mkdir(), "not a params file but a folder"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00"), "not a text file"),
    ],
    ids=["folder", "binary"],
)
def test_a_folder_or_a_binary_file_as_params_is_one_line(tmp_path, make, expected):
    path = tmp_path / "params"
    make(path)
    with pytest.raises(ParamsError, match=expected):
        load_params(path)
