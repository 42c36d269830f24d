"""report/aggregate.py: a run's metrics.json as one row of runs.csv, its epochs and classes as
rows of the two long tables, and the explain step's means joined by run id."""

import json
import math

import pandas as pd
import pytest

from proxy_attention.report.aggregate import (
    EPOCHS,
    PER_CLASS,
    RUNS,
    aggregate,
    aggregate_to,
    read_tables,
    run_row,
    with_explanations,
)

VARIANT = "digits/m/aug~basic/proxy~gradcam-t0.6-w0.8-f0.5-s1p1"


def metrics(seed: int, val: list[float], proxy: bool = True, reported: dict | None = None) -> dict:
    variant = VARIANT if proxy else "digits/m/aug~basic/proxy~off-e2"
    run_id = f"{variant}/seed~{seed}"
    spec = {"run_id": run_id, "dataset": "digits", "model": "m", "augmentation": "basic"}
    spec |= {"schedule": [1, "p", 1] if proxy else [2], "seed": seed}
    spec["proxy"] = {"method": "gradcam", "threshold": 0.6, "weight": 0.8} if proxy else None
    data = {
        "run_id": run_id,
        "spec": spec,
        "control_id": f"digits/m/aug~basic/proxy~off-e2/seed~{seed}" if proxy else None,
        "epochs": [{"epoch": i + 1, "val_accuracy": v} for i, v in enumerate(val)],
        "test": {
            "accuracy": 0.9,
            "precision_macro": 0.91,
            "recall_macro": 0.89,
            "f1_macro": 0.88,
            "loss": 0.3,
            "per_class": [{"class": "0", "f1": 0.8}, {"class": "1", "f1": 0.96}],
        },
        "proxy_steps": [{"chosen": 5}, {"chosen": 7}] if proxy else [],
        "timing": {"wall_seconds": 12.5, "train_seconds": 10.0, "proxy_seconds": 2.0},
        "device": "cpu",
    }
    if reported is not None:
        data["reported"] = reported
    return data


def write_metrics(folder, *runs: dict) -> list:
    paths = []
    for number, run in enumerate(runs):
        path = folder / f"run{number}" / "metrics.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(run))
        paths.append(path)
    return paths


def test_run_row_flattens_the_spec_test_metrics_and_proxy_steps():
    row = run_row(metrics(3, [0.7, 0.95, 0.9]))
    assert row["variant"] == VARIANT and row["run_id"] == f"{VARIANT}/seed~3"
    assert (row["schedule"], row["seed"], row["proxy"], row["method"]) == (
        "1 p 1",
        3,
        True,
        "gradcam",
    )
    assert (row["threshold"], row["weight"], row["subset"]) == (0.6, 0.8, None)
    assert (row["epochs"], row["final_val_accuracy"], row["best_val_accuracy"]) == (3, 0.9, 0.95)
    assert row["proxy_images"] == 12 and row["test_f1_macro"] == 0.88
    assert (row["proxy_seconds"], row["resplit_each_round"]) == (2.0, False)
    # Without a recorded "reported" block the original reported the last validation accuracy.
    assert row["reported_accuracy"] == 0.9 and math.isnan(row["reported_val_seen_in_training"])
    control = run_row(metrics(0, [0.8, 0.85], proxy=False))
    assert (control["proxy"], control["method"], control["proxy_images"]) == (False, None, 0)


def test_the_reported_accuracy_is_the_recorded_one_when_present():
    row = run_row(
        metrics(0, [0.7, 0.8], reported={"val_accuracy": 0.97, "val_seen_in_training": 0.4})
    )
    assert (row["reported_accuracy"], row["reported_val_seen_in_training"]) == (0.97, 0.4)


def test_aggregate_sorts_runs_by_id_and_keys_every_epoch_and_class_row(tmp_path):
    paths = write_metrics(tmp_path, metrics(1, [0.6, 0.7]), metrics(0, [0.5, 0.8, 0.9]))
    tables = aggregate(paths)
    assert tables[RUNS]["seed"].tolist() == [0, 1]
    epochs = tables[EPOCHS]
    assert epochs.columns.tolist() == ["run_id", "variant", "seed", "epoch", "val_accuracy"]
    assert epochs.groupby("seed")["val_accuracy"].apply(list).to_dict() == {
        1: [0.6, 0.7],
        0: [0.5, 0.8, 0.9],
    }
    per_class = tables[PER_CLASS]
    assert len(per_class) == 4 and per_class.groupby("class")["f1"].mean().to_dict() == {
        "0": 0.8,
        "1": 0.96,
    }
    with pytest.raises(ValueError, match="no metrics files"):
        aggregate([])


def test_explanations_join_by_run_id_and_must_match_one_to_one(tmp_path):
    runs = pd.DataFrame({"run_id": ["a", "b"], "test_accuracy": [0.8, 0.9]})
    mean = {
        "deletion_auc": 0.2,
        "insertion_auc": 0.7,
        "average_drop": 0.3,
        "increase_in_confidence": 0.1,
    }
    explained = tmp_path / "a.json"
    explained.write_text(
        json.dumps({"run_id": "a", "method": "gradcam", "images": 16, "mean": mean})
    )
    joined = with_explanations(runs, [explained]).set_index("run_id")
    assert joined.loc["a", "deletion_auc"] == 0.2 and joined.loc["a", "explain_images"] == 16
    assert math.isnan(joined.loc["b", "deletion_auc"]) and math.isnan(
        joined.loc["a", "explain_confidence"]
    )
    assert with_explanations(runs, []).columns.tolist() == ["run_id", "test_accuracy"]
    stray = tmp_path / "c.json"
    stray.write_text(json.dumps({"run_id": "c", "method": "gradcam", "images": 16, "mean": mean}))
    with pytest.raises(ValueError, match=r"unmatched: \['c'\]"):
        with_explanations(runs, [explained, stray])
    with pytest.raises(ValueError, match="one to one"):
        with_explanations(runs, [explained, explained])


def test_aggregate_to_writes_the_tables_and_aligns_columns_given_in_another_order(tmp_path):
    first, second = metrics(0, [0.5, 0.6]), metrics(1, [0.7])
    second["epochs"] = [{"val_accuracy": 0.7, "epoch": 1}]  # same keys, other order
    count = aggregate_to(write_metrics(tmp_path, first, second), None, tmp_path / "results")
    tables = read_tables(tmp_path / "results")
    assert count == 2 and len(tables[RUNS]) == 2
    epochs = tables[EPOCHS]
    assert epochs[["seed", "epoch", "val_accuracy"]].values.tolist() == [
        [0, 1, 0.5],
        [0, 2, 0.6],
        [1, 1, 0.7],
    ]


def test_aggregate_to_without_runs_leaves_no_table_behind(tmp_path):
    out = tmp_path / "results"
    with pytest.raises(ValueError, match="no metrics files"):
        aggregate_to([], None, out)
    assert not out.exists() or sorted(p.name for p in out.iterdir()) == []
