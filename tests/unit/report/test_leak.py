"""The re-split leak: twin runs in the grid, the reported accuracy per run, and its report."""

import numpy as np
import pandas as pd
import pytest

from proxy_attention.grid import ProxySettings, RunSpec, expand_grid
from proxy_attention.params import ParamsError, validate_params
from proxy_attention.report.aggregate import run_row
from proxy_attention.report.build import add_labels
from proxy_attention.report.leak import leak_summary, leak_tex, leak_twins
from proxy_attention.slices import train_slice
from proxy_attention.train.run import train_run
from tests.unit.train.test_run import toy_params

VARIANT = "digits/m/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-s1-p-p-1"


def test_leak_check_adds_fixed_and_resplit_twins_without_controls(params):
    params["grid"].update(augmentations=["basic", "cutmix"], schedules=[[3, "p", 2]], seeds=[0, 1])
    params["grid"]["proxy"].update(thresholds=[0.6], weights=[0.8], subsets=[0.5])
    before = [r.run_id for r in expand_grid(params)]
    params["grid"]["leak_check"] = {"augmentations": ["basic"], "schedules": [[1, "p", "p", 1]]}
    after = [r.run_id for r in expand_grid(params)]
    assert after[: len(before)] == before  # the main grid's ids and order do not move
    proxy = "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-s1-p-p-1"
    assert after[len(before) :] == [
        f"{proxy}/seed~0",
        f"{proxy}-resplit/seed~0",
        f"{proxy}/seed~1",
        f"{proxy}-resplit/seed~1",
    ]


@pytest.mark.parametrize(
    ("leak", "message"),
    [
        ({"augmentations": ["basic"], "schedules": [[2, "p", 2]]}, "two or more p"),
        ({"augmentations": ["basic"], "schedules": [[2, "p", "p"]]}, "an epoch after the last p"),
        ({"augmentations": ["basic"]}, "needs schedules"),
    ],
)
def test_a_leak_check_that_cannot_show_the_leak_is_refused(params, leak, message):
    params["grid"]["leak_check"] = leak
    with pytest.raises(ParamsError, match=message):
        validate_params(params, "params.yaml")


def test_a_resplit_run_records_what_the_original_reported(params, toy_dataset, tmp_path):
    prepared, split = toy_dataset
    params = toy_params(params, epochs_batch=32)
    proxy = ProxySettings("saliency", threshold=0.5, weight=0.5, subset=0.5)
    seen = {}
    for resplit in (False, True):
        spec = RunSpec("toy", "test_efficientnet", "basic", (1, "p", "p", 1), 0, proxy, resplit)
        out = tmp_path / str(resplit)
        metrics = train_run(spec, train_slice(params), prepared, split, out, threads=1)
        assert metrics["reported"]["val_accuracy"] == metrics["epochs"][-1]["val_accuracy"]
        assert run_row(metrics)["reported_accuracy"] == metrics["reported"]["val_accuracy"]
        seen[resplit] = [e["val_seen_in_training"] for e in metrics["epochs"]]
    assert seen[False] == [0.0, 0.0, 0.0, 0.0]
    # Re-drawn after epochs 2 and 3: most of the new validation images were trained on before.
    assert seen[True][:2] == [0.0, 0.0]
    assert 0.5 < seen[True][2] <= seen[True][3] <= 1.0


def twin_runs(fixed_gaps, resplit_gaps, test=(0.80, 0.84, 0.82)):
    rows = []
    for seed, (fixed, resplit, accuracy) in enumerate(
        zip(fixed_gaps, resplit_gaps, test, strict=True)
    ):
        for suffix, gap in (("", fixed), ("-resplit", resplit)):
            rows.append(
                {
                    "run_id": f"{VARIANT}{suffix}/seed~{seed}",
                    "variant": f"{VARIANT}{suffix}",
                    "label": "basic | gradcampp" + (" (re-split each round)" if suffix else ""),
                    "seed": seed,
                    "test_accuracy": accuracy,
                    "reported_accuracy": accuracy + gap,
                    "reported_val_seen_in_training": 0.96 if suffix else 0.0,
                }
            )
    return pd.DataFrame(rows)


def test_a_clear_leak_is_measured_and_said():
    runs = twin_runs([0.01, -0.01, 0.0], [0.10, 0.07, 0.10])
    row = leak_summary(leak_twins(runs), 0.95).iloc[0]
    assert row["n"] == 3
    assert row["resplit_mean_diff"] == pytest.approx(0.09)
    assert row["fixed_mean_diff"] == pytest.approx(0.0, abs=1e-12)
    assert row["leak_mean_diff"] == pytest.approx(0.09)  # gaps 0.09, 0.08, 0.10 paired by seed
    assert row["leak_ci_low"] > 0.0 and row["leak_p"] < 0.05
    text = leak_tex(runs, 0.95, "data/results")
    assert "+9.0 points" in text and "the leak is measurable" in text
    assert "re-split each round & 3 & 91.0 & 82.0 &" in text
    assert "fixed split & 3 & 82.0 & 82.0 & +0.0 [-2.5, +2.5] & 0 \\\\" in text
    assert "+9.0 points (95\\% CI +6.5 to +11.5, paired by seed, $p = 0.004$)" in text
    assert "(3 seeds)" in text


def test_no_leak_is_said_with_the_effect_these_seeds_could_detect():
    runs = twin_runs([0.01, -0.01, 0.0], [0.02, -0.02, 0.01])
    text = leak_tex(runs, 0.95, "data/results")
    assert "no detectable leak; these seeds could detect" in text
    assert "measurable" not in text


def test_without_twins_the_report_says_so():
    runs = twin_runs([0.0] * 3, [0.1] * 3)
    fixed_only = runs[~runs["run_id"].str.contains("resplit")]
    assert leak_twins(fixed_only).empty
    assert leak_tex(fixed_only, 0.95, "data/results").startswith("% data/results/runs.csv holds no")


def test_metrics_written_before_the_reported_accuracy_still_aggregate():
    run_id = "d/m/aug~basic/proxy~off-e1/seed~0"
    test = {k: 0.5 for k in ("accuracy", "precision_macro", "recall_macro", "f1_macro", "loss")}
    metrics = {
        "run_id": run_id,
        "spec": {
            "run_id": run_id,
            "dataset": "d",
            "model": "m",
            "augmentation": "basic",
            "schedule": [1],
            "seed": 0,
        },
        "control_id": run_id,
        "epochs": [{"val_accuracy": 0.7}],
        "test": test,
        "proxy_steps": [],
        "timing": {"wall_seconds": 1.0, "train_seconds": 1.0, "proxy_seconds": 0.0},
        "device": "cpu",
    }
    row = run_row(metrics)
    assert row["reported_accuracy"] == 0.7
    assert np.isnan(row["reported_val_seen_in_training"])


def test_only_the_resplit_twin_is_marked_re_split():
    runs = pd.DataFrame(
        {
            "variant": [VARIANT, f"{VARIANT}-resplit"],
            "dataset": "digits",
            "model": "m",
            "augmentation": "basic",
            "schedule": "1 p p 1",
            "proxy": True,
            "threshold": 0.6,
            "weight": 0.8,
            "subset": 0.5,
            "method": "gradcampp",
            "mode": "blended",
            "clear_every_step": True,
            "resplit_each_round": [False, True],
        }
    )
    fixed, resplit = add_labels(runs)["label"].tolist()
    assert not fixed.endswith("(re-split each round)")
    assert resplit == fixed + " (re-split each round)"


def test_one_seed_gives_the_gaps_without_an_interval():
    runs = twin_runs([-0.013], [0.009], test=(0.85,))
    text = leak_tex(runs, 0.95, "data/results")
    assert "(1 seed)" in text and "+0.9 points (one seed, no interval)" in text
    assert "The difference, +2.2 points (one seed, no interval), shows no detectable leak." in text
