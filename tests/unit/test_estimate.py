"""`proxy-attention estimate`: counts from the grid and dataset sizes, hours from calibration."""

import pytest

from proxy_attention.estimate import (
    DATASET_SIZES,
    calibrate,
    estimate,
    estimate_tex,
    format_estimate,
    run_seconds,
    split_counts,
)
from proxy_attention.grid import expand_grid

SPLIT = {"seed": 0, "val_fraction": 0.15, "test_fraction": 0.2}
TIMING = {"train_seconds_per_image": 0.01, "eval_seconds_per_image": 0.002}


def test_split_counts_keep_an_official_test_set_and_cut_the_rest():
    cifar = split_counts(DATASET_SIZES["cifar100"], {"source": "cifar100"}, SPLIT)
    assert cifar == {"total": 60_000, "train": 42_500, "val": 7_500, "test": 10_000}
    plants = split_counts(DATASET_SIZES["plant_village"], {"source": "plant_village"}, SPLIT)
    assert plants["test"] == round(54_305 * 0.2) and plants["val"] == round(54_305 * 0.15)
    capped = split_counts(DATASET_SIZES["digits"], {"max_per_class": 50}, SPLIT)
    assert capped["total"] == 500


def test_one_run_costs_its_epochs_proxy_steps_test_and_explain(params):
    proxy_run = next(spec for spec in expand_grid(params) if spec.proxy is not None)
    counts = {"total": 1000, "train": 650, "val": 150, "test": 200}
    params["explain"].update(max_images=64, steps=16)
    seconds = run_seconds(proxy_run, counts, TIMING, params)
    epochs = 6  # [3, p, 2]
    expected = epochs * (650 * 0.01 + 150 * 0.002)
    expected += 1 * (650 * 0.002 + 650 * 0.5 * proxy_run.proxy.subset * 0.01)
    expected += 200 * 0.002 + 64 * (0.01 + 34 * 0.002)
    assert seconds == pytest.approx(expected)


def test_the_estimate_of_the_default_grid_and_its_cache(params, tmp_path):
    measured = []

    def measure(model, size, device):
        measured.append((model, size, device))
        return TIMING

    cache = tmp_path / "calibration.json"
    result = estimate(params, cache, measure)
    row = result["rows"]["digits"]
    assert row["runs"] == 12 and row["epochs"] == 72
    train = split_counts(DATASET_SIZES["digits"], params["datasets"]["digits"], params["split"])
    assert row["image_epochs"] == 72 * train["train"]
    size = params["datasets"]["digits"]["image_size"]
    assert row["prepared_bytes"] == 1_797 * size * size * 3
    assert row["device"] > 72 * train["train"] * 0.01 / 3600
    assert measured == [("mobilenetv3_small_100", size, "cpu")]
    estimate(params, cache, measure)
    assert len(measured) == 1  # calibrated once per machine, then read from the cache
    text = format_estimate(result)
    assert "cpu-hours" in text and "12" in text.splitlines()[1]
    assert r"\label{tab:estimate}" in estimate_tex(result, "params.yaml")


def test_a_real_calibration_is_cheap_and_positive():
    timing = calibrate("mobilenetv3_small_100", 32, "cpu")
    assert timing["train_seconds_per_image"] > timing["eval_seconds_per_image"] > 0


def test_a_folder_from_a_url_is_unknown_and_so_are_the_totals(params, tmp_path):
    params["datasets"]["photos"] = {
        "source": "folder",
        "url": "https://host/p.zip",
        "image_size": 64,
    }
    params["grid"]["datasets"] = ["digits", "photos"]
    result = estimate(params, tmp_path / "c.json", lambda model, size, device: TIMING)
    assert result["rows"]["photos"]["device"] is None
    assert result["rows"]["digits"]["device"] > 0
    assert result["totals"]["device"] is None and result["totals"]["runs"] == 24
    assert format_estimate(result).splitlines()[3].split()[-1] == "?"
