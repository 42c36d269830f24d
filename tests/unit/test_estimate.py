"""`proxy-attention estimate`: counts from the grid and dataset sizes, hours from calibration."""

import functools
from pathlib import Path

import pytest
import yaml

from proxy_attention.estimate import (
    DATASET_SIZES,
    calibrate,
    estimate,
    estimate_tex,
    format_estimate,
    run_hours,
    run_seconds,
    split_counts,
)
from proxy_attention.grid import RunSpec, expand_grid
from proxy_attention.reference_gpus import (
    REFERENCE_GPUS,
    ReferenceGPU,
    images_per_second,
    reference_timing,
)

ROOT = Path(__file__).resolve().parents[2]

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


def test_gpu_hours_of_a_run_follow_from_the_reference_throughput(params):
    gpu = ReferenceGPU("test", {"resnet18": 1000.0}, {"resnet18": 4000.0}, "made up")
    params["datasets"]["digits"]["image_size"] = 224
    control = RunSpec("digits", "resnet18", "basic", (100,), 0)
    counts = {"digits": {"total": 40_000, "train": 36_000, "val": 4_000, "test": 0}}
    hours = run_hours([control], params, counts, functools.partial(reference_timing, gpu))
    # 100 epochs of 36 s training (36,000 images at 1,000/s) and 1 s validation (4,000 at 4,000/s)
    assert hours == {control.run_id: pytest.approx(3700 / 3600)}
    unlisted = RunSpec("digits", "vgg16", "basic", (100,), 0)
    assert run_hours([unlisted], params, counts, functools.partial(reference_timing, gpu)) == {
        unlisted.run_id: None
    }


def test_half_the_side_is_four_times_the_images_per_second():
    assert images_per_second(1000.0, 112) == pytest.approx(4000.0)
    assert images_per_second(1000.0, 448) == pytest.approx(250.0)
    rtx = REFERENCE_GPUS["rtx3090"]
    at_112 = reference_timing(rtx, "resnet18", 112)
    assert at_112["train_seconds_per_image"] == pytest.approx(
        1 / (4 * rtx.train_images_per_second["resnet18"])
    )
    assert at_112["eval_seconds_per_image"] == pytest.approx(
        1 / (4 * rtx.eval_images_per_second["resnet18"])
    )


def test_every_model_of_the_thesis_grid_and_the_default_has_reference_figures():
    thesis = yaml.safe_load((ROOT / "workflow" / "configs" / "thesis.yaml").read_text())
    default = yaml.safe_load((ROOT / "params.yaml").read_text())
    models = {*thesis["grid"]["models"], *default["grid"]["models"]}
    for gpu in REFERENCE_GPUS.values():
        assert models <= gpu.train_images_per_second.keys()
        assert models <= gpu.eval_images_per_second.keys()
        # a training step (forward, backward, update) is slower than a forward pass
        assert all(gpu.train_images_per_second[m] < gpu.eval_images_per_second[m] for m in models)


def test_the_estimate_sums_each_reference_gpus_run_hours(params, tmp_path):
    result = estimate(params, tmp_path / "c.json", lambda model, size, device: TIMING)
    for key in REFERENCE_GPUS:
        by_id = result["run_hours"][key]
        assert len(by_id) == len(expand_grid(params))
        assert result["totals"][key] == pytest.approx(sum(by_id.values()))
        assert result["rows"]["digits"][key] == pytest.approx(sum(by_id.values()))
    text = format_estimate(result)
    assert "RTX 3090-hours" in text.splitlines()[0]
    assert "not a measurement" in text and "rtx3090.csv" in text
    tex = estimate_tex(result, "params.yaml")
    assert "RTX 3090 GPU-hours" in tex and "not a measurement" in tex
    assert tex.count("{") == tex.count("}")


def test_the_data_path_adds_on_a_cpu_and_beside_a_gpu_only_the_slower_counts():
    from proxy_attention.estimate import GPU_LOADER_WORKERS, train_seconds_per_image

    timing = {
        "train_seconds_per_image": 0.01,
        "eval_seconds_per_image": 0.002,
        "batched_data_seconds_per_image": 0.001,
        "per_sample_data_seconds_per_image": 0.035,
    }
    assert train_seconds_per_image("basic", timing) == pytest.approx(0.011)
    assert train_seconds_per_image("randaugment", timing) == pytest.approx(0.045)
    on_gpu = {**timing, "gpu": True}
    assert train_seconds_per_image("cutmix", on_gpu) == pytest.approx(0.011)
    # 7 workers make 200 images/s, the GPU steps 100: the GPU sets the pace ...
    assert train_seconds_per_image("randaugment", on_gpu) == pytest.approx(0.01)
    # ... until it outruns them.
    fast = {**on_gpu, "train_seconds_per_image": 0.001}
    loader = 0.035 / GPU_LOADER_WORKERS
    assert train_seconds_per_image("randaugment", fast) == pytest.approx(loader)


def test_a_real_calibration_measures_the_data_paths():
    timing = calibrate("mobilenetv3_small_100", 32, "cpu")
    # One image through RandAugment per sample costs more than one through batched basic.
    assert timing["per_sample_data_seconds_per_image"] > timing["batched_data_seconds_per_image"]
    assert timing["batched_data_seconds_per_image"] > 0 and timing["gpu"] is False
