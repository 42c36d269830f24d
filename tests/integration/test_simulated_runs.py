"""Simulated runs have the structure the training and explain steps write, and true numbers."""

import numpy as np
import pytest

from proxy_attention.grid import expand_grid
from proxy_attention.report.aggregate import EXPLAIN_COLUMNS, run_row
from proxy_attention.train.metrics import classification_metrics
from tests.helpers.simulated_runs import (
    Noise,
    confusion,
    explain_metrics,
    planted_gain,
    run_metrics,
    scores_from_confusion,
)

# The keys train/run.py writes (its metrics dict, epoch rows and proxy-step records).
RUN_KEYS = {
    "run_id", "spec", "control_id", "dataset", "train_settings", "batch_size_source", "device",
    "epochs", "proxy_steps", "test", "protocol", "timing",
}  # fmt: skip
EPOCH_KEYS = {
    "epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "train_seconds",
    "proxy_seconds", "replaced",
}  # fmt: skip
STEP_KEYS = {
    "epoch", "misclassified", "train_size", "selection_seconds", "chosen",
    "fraction_pixels_changed", "saliency_seconds", "write_seconds", "settings",
}  # fmt: skip


@pytest.mark.parametrize(("classes", "images", "accuracy"), [(10, 2679, 0.991), (120, 4116, 0.6)])
def test_scores_match_sklearn_on_the_same_predictions(classes, images, accuracy):
    matrix = confusion(classes, images, accuracy, np.random.default_rng(3))
    assert matrix.sum() == images and np.trace(matrix) == round(accuracy * images)
    labels, predictions = np.nonzero(matrix)
    counts = matrix[labels, predictions]
    labels, predictions = np.repeat(labels, counts), np.repeat(predictions, counts)
    names = [f"class_{i:03d}" for i in range(classes)]
    expected = classification_metrics(labels, predictions, names)
    scores = scores_from_confusion(matrix, loss=0.5)
    for key in ("accuracy", "precision_macro", "recall_macro", "f1_macro"):
        assert scores[key] == pytest.approx(expected[key], abs=1e-12)
    assert scores["confusion_matrix"] == expected["confusion_matrix"]
    for ours, theirs in zip(scores["per_class"], expected["per_class"], strict=True):
        assert ours["class"] == theirs["class"] and ours["support"] == theirs["support"]
        for key in ("precision", "recall", "f1"):
            assert ours[key] == pytest.approx(theirs[key], abs=1e-12)


def test_a_simulated_run_has_the_training_steps_structure(params):
    params["grid"].update(schedules=[[5, "p", 9, "p", 4]])
    proxy_spec = next(spec for spec in expand_grid(params) if spec.proxy is not None)
    metrics = run_metrics(proxy_spec, params, seed=0, noise=Noise())
    assert set(metrics) >= RUN_KEYS
    assert len(metrics["epochs"]) == 20 and all(set(e) == EPOCH_KEYS for e in metrics["epochs"])
    assert [s["epoch"] for s in metrics["proxy_steps"]] == [6, 16]
    assert all(set(step) == STEP_KEYS for step in metrics["proxy_steps"])
    row = run_row(metrics)  # what aggregate reads
    assert row["proxy"] and row["final_val_accuracy"] == metrics["epochs"][-1]["val_accuracy"]
    assert row["proxy_images"] == sum(s["chosen"] for s in metrics["proxy_steps"])
    explanation = explain_metrics(proxy_spec, params, seed=0)
    assert set(explanation["mean"]) == set(EXPLAIN_COLUMNS)
    assert explanation["method"] == params["explain"]["method"]


def test_planted_gain_is_the_documented_one(params):
    params["grid"].update(datasets=["digits"], schedules=[["p", 1]])
    params["grid"]["proxy"].update(thresholds=[0.4, 0.85], weights=[0.1, 0.95])
    gains = {
        (s.proxy.threshold, s.proxy.weight): planted_gain(s, effect_dataset="digits")
        for s in expand_grid(params)
        if s.proxy is not None
    }
    assert gains == pytest.approx(
        {(0.4, 0.1): 0.0, (0.4, 0.95): -0.005, (0.85, 0.1): 0.01, (0.85, 0.95): 0.005}
    )


def test_runs_simulated_as_the_pipeline_leaves_them_are_current(params, tmp_path, monkeypatch):
    from proxy_attention import layout
    from proxy_attention.bundles import bundles
    from proxy_attention.slices import explain_settings, train_settings
    from proxy_attention.stamps import is_current
    from tests.helpers.simulated_runs import simulate_grid

    params["grid"]["train_together"] = ["thresholds", "weights"]
    data = tmp_path / "split.npz"
    data.write_text("the inputs exist before the runs, as in the pipeline")
    monkeypatch.chdir(tmp_path)  # the bundle steps read the layout's relative paths
    assert simulate_grid(params, tmp_path, as_pipeline=True) == len(expand_grid(params))
    for spec in expand_grid(params):
        checkpoint = layout.run_file(spec.run_id, layout.CHECKPOINT)
        run = layout.run_file(spec.run_id)
        assert is_current(run, train_settings(params), spec.run_id, "train", [data])
        explained = layout.explain_metrics(spec.run_id)
        assert is_current(explained, explain_settings(params), spec.run_id, "explain",
                          [checkpoint, data])  # fmt: skip
    for bundle_id in bundles(params):
        for step in ("train", "explain"):
            assert (tmp_path / layout.marker(step, bundle_id)).exists()
