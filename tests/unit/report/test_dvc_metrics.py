"""DVC's metrics and plots files: the numbers of runs.csv, grouped as DVC shows them."""

import json
import math

import pandas as pd
import pytest
from scipy import stats as sps

from proxy_attention.report.dvc_metrics import (
    accuracy_points,
    build_metrics,
    learning_curves,
    short_names,
    write_dvc_metrics,
)

BASE = "digits/mobilenetv3_small_100/aug~basic"
CONTROL = f"{BASE}/proxy~off-e2"
PROXY = f"{BASE}/proxy~gradcampp-t0.6-w0.8-f0.1-sp1"
ACCURACY = {(CONTROL, 0): 0.80, (CONTROL, 1): 0.84, (PROXY, 0): 0.83, (PROXY, 1): 0.85}


def runs_table(seeds=(0, 1)) -> pd.DataFrame:
    rows = []
    for (variant, seed), accuracy in ACCURACY.items():
        if seed in seeds:
            rows.append(
                {
                    "run_id": f"{variant}/seed~{seed}",
                    "variant": variant,
                    "seed": seed,
                    "proxy": variant == PROXY,
                    "control_id": f"{CONTROL}/seed~{seed}",
                    "test_accuracy": accuracy,
                }
            )
    return pd.DataFrame(rows)


def test_short_names_keep_the_parts_that_differ():
    other = "digits/mobilenetv3_small_100/aug~cutmix/proxy~off-e2"
    assert short_names([CONTROL, PROXY, other]) == {
        CONTROL: "aug~basic/proxy~off-e2",
        PROXY: "aug~basic/proxy~gradcampp-t0.6-w0.8-f0.1-sp1",
        other: "aug~cutmix/proxy~off-e2",
    }
    assert short_names([CONTROL]) == {CONTROL: "proxy~off-e2"}
    assert short_names(["a/b", "a/b/c"]) == {"a/b": "a/b", "a/b/c": "a/b/c"}


def test_variant_means_and_intervals_match_scipy():
    metrics = build_metrics(runs_table(), confidence=0.9)
    control = metrics["test_accuracy"]["proxy~off-e2"]
    low, high = sps.t.interval(0.9, df=1, loc=0.82, scale=sps.sem([0.80, 0.84]))
    assert control["mean"] == pytest.approx(0.82) and control["seeds"] == 2
    assert (control["ci_low"], control["ci_high"]) == pytest.approx((low, high))
    assert metrics["runs"] == 4 and metrics["confidence"] == 0.9


def test_gain_over_control_is_the_paired_difference_per_seed():
    gains = build_metrics(runs_table(), confidence=0.95)["gain_over_control"]
    assert list(gains) == ["proxy~gradcampp-t0.6-w0.8-f0.1-sp1"]
    gain = gains["proxy~gradcampp-t0.6-w0.8-f0.1-sp1"]
    ref = sps.ttest_rel([0.83, 0.85], [0.80, 0.84])
    assert gain["mean_diff"] == pytest.approx(0.02)  # (0.03 + 0.01) / 2, seed by seed
    assert gain["p"] == pytest.approx(ref.pvalue) and gain["seeds"] == 2


def test_one_seed_writes_null_intervals_as_valid_json(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    runs = runs_table(seeds=(0,))
    runs.to_csv(results / "runs.csv", index=False)
    epochs = pd.DataFrame(
        {
            "run_id": list(runs["run_id"]) * 2,
            "variant": list(runs["variant"]) * 2,
            "seed": 0,
            "epoch": [1, 1, 2, 2],
            "val_accuracy": [0.5, 0.6, 0.7, 0.8],
        }
    )
    epochs.to_csv(results / "epochs.csv", index=False)
    pd.DataFrame({"run_id": []}).to_csv(results / "per_class.csv", index=False)
    write_dvc_metrics(results, 0.95, tmp_path / "metrics", tmp_path / "report" / "results.html")
    text = (tmp_path / "metrics" / "metrics.json").read_text()
    assert "NaN" not in text
    metrics = json.loads(text)
    control = metrics["test_accuracy"]["proxy~off-e2"]
    assert control == {"mean": 0.80, "ci_low": None, "ci_high": None, "seeds": 1}
    gain = metrics["gain_over_control"]["proxy~gradcampp-t0.6-w0.8-f0.1-sp1"]
    assert gain["mean_diff"] == pytest.approx(0.03) and gain["p"] is None
    curves = pd.read_csv(tmp_path / "metrics" / "learning_curves.csv")
    assert curves.to_dict("list") == {
        "variant": ["proxy~gradcampp-t0.6-w0.8-f0.1-sp1"] * 2 + ["proxy~off-e2"] * 2,
        "epoch": [1, 2, 1, 2],
        "val_accuracy": [0.6, 0.8, 0.5, 0.7],
    }
    html = (tmp_path / "report" / "results.html").read_text()
    assert "0.8000" in html and "0.0300" in html
    assert "None" not in html and "<td>-</td>" in html  # no interval with one seed
    assert not list((tmp_path / "metrics").glob(".*"))  # no temporary file left behind


def test_learning_curves_average_the_seeds_and_points_keep_them():
    epochs = pd.DataFrame(
        {"variant": [CONTROL] * 4, "epoch": [1, 1, 2, 2], "val_accuracy": [0.4, 0.6, 0.7, 0.9]}
    )
    curves = learning_curves(epochs)
    assert curves["val_accuracy"].tolist() == pytest.approx([0.5, 0.8])
    points = accuracy_points(runs_table())
    assert len(points) == 4 and not math.isnan(points["test_accuracy"].sum())
    assert sorted(points["test_accuracy"]) == sorted(ACCURACY.values())
