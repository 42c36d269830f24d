"""One tidy table of all runs (every parameter a column) from their metrics files."""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from proxy_attention.atomic import atomic_path, read_json, remove_temporaries
from proxy_attention.layout import EPOCHS_CSV, PER_CLASS_CSV, RUNS_CSV

RUNS, EPOCHS, PER_CLASS = RUNS_CSV, EPOCHS_CSV, PER_CLASS_CSV
NO_FOLD = -1
# The end of a run id that a variant leaves out: its fold (with split.folds > 1) and seed.
REPLICATE = re.compile(r"(/fold~[0-9]+)?/seed~[0-9]+$")


def spec_columns(spec: dict[str, Any], control_id: str) -> dict[str, Any]:
    """A run's columns that follow from its spec alone (RunSpec.as_dict): known before it
    trains, so the report rule plans its views from them (report/views.py)."""
    proxy = spec.get("proxy") or {}
    return {
        "run_id": spec["run_id"],
        "variant": variant_id(spec),
        "dataset": spec["dataset"],
        "model": spec["model"],
        "augmentation": spec["augmentation"],
        "schedule": " ".join(str(s) for s in spec["schedule"]),
        "seed": spec["seed"],
        # -1: the run has no fold (a number, so grouping by fold and seed keeps every run).
        "fold": NO_FOLD if spec.get("fold") is None else spec["fold"],
        "proxy": bool(proxy),
        "method": proxy.get("method"),
        "threshold": proxy.get("threshold"),
        "weight": proxy.get("weight"),
        "subset": proxy.get("subset"),
        "clear_every_step": proxy.get("clear_every_step"),
        "mode": proxy.get("mode"),
        "resplit_each_round": spec.get("resplit_each_round", False),
        "control_id": control_id,
    }


def run_row(metrics: dict[str, Any]) -> dict[str, Any]:
    test = metrics["test"]
    last = metrics["epochs"][-1]
    reported = metrics.get("reported", {})  # absent in metrics written before it was recorded
    sizes = metrics.get("dataset", {})  # the split's sizes, absent in hand-made metrics
    return {
        **spec_columns({**metrics["spec"], "run_id": metrics["run_id"]}, metrics["control_id"]),
        "epochs": len(metrics["epochs"]),
        "test_accuracy": test["accuracy"],
        "test_precision_macro": test["precision_macro"],
        "test_recall_macro": test["recall_macro"],
        "test_f1_macro": test["f1_macro"],
        "test_loss": test["loss"],
        # The sizes of this run's training and validation sets (its fold's, with folds): the
        # corrected resampled t-test of overlapping folds needs their ratio (report/stats.py).
        "train_size": sizes.get("train", math.nan),
        "val_size": sizes.get("val", math.nan),
        "final_val_accuracy": last["val_accuracy"],
        "best_val_accuracy": max(e["val_accuracy"] for e in metrics["epochs"]),
        # The number the original implementation reported (report/leak.py compares it to test).
        "reported_accuracy": reported.get("val_accuracy", last["val_accuracy"]),
        "reported_val_seen_in_training": reported.get("val_seen_in_training", math.nan),
        "proxy_images": sum(s["chosen"] for s in metrics["proxy_steps"]),
        "wall_seconds": metrics["timing"]["wall_seconds"],
        "train_seconds": metrics["timing"]["train_seconds"],
        "proxy_seconds": metrics["timing"]["proxy_seconds"],
        "device": metrics["device"],
    }


def variant_id(spec: dict[str, Any]) -> str:
    """A run's variant: everything but the fold and the seed, as readable as the run id."""
    return REPLICATE.sub("", spec["run_id"])


def _read_runs(
    metrics_paths: Iterable[str | os.PathLike],
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]:
    """Per metrics file: its runs.csv row, its epochs.csv rows and its per_class.csv rows."""
    for path in metrics_paths:
        metrics = orjson.loads(Path(path).read_bytes())
        row = run_row(metrics)
        keys = {k: row[k] for k in ("run_id", "variant", "seed")}
        yield (
            row,
            [{**keys, **epoch} for epoch in metrics["epochs"]],
            [{**keys, **entry} for entry in metrics["test"]["per_class"]],
        )


def aggregate(
    metrics_paths: Iterable[str | os.PathLike],
    explain_paths: Iterable[str | os.PathLike] | None = None,
) -> dict[str, pd.DataFrame]:
    """The three tables in memory (small grids, tests); ``aggregate_to`` streams big ones."""
    runs, epochs, per_class = [], [], []
    for row, epoch_rows, class_rows in _read_runs(metrics_paths):
        runs.append(row)
        epochs += epoch_rows
        per_class += class_rows
    if not runs:
        raise ValueError("no metrics files to aggregate")
    return {
        RUNS: _runs_table(runs, explain_paths),
        EPOCHS: pd.DataFrame(epochs),
        PER_CLASS: pd.DataFrame(per_class),
    }


def aggregate_to(
    metrics_paths: Iterable[str | os.PathLike],
    explain_paths: Iterable[str | os.PathLike] | None,
    out_dir: str | os.PathLike,
) -> int:
    """Write runs.csv, epochs.csv and per_class.csv, holding one run's epochs at a time.

    The thesis grid has 21,690 runs, 870,000 epoch rows and 1.4 million per-class rows; only
    the run rows stay in memory. Each file appears complete or not at all. Returns the run count.
    """
    out_dir = Path(out_dir)
    remove_temporaries(out_dir)  # what a killed attempt left; the results folder is this step's
    runs: list[dict[str, Any]] = []
    with (
        atomic_path(out_dir / EPOCHS) as epochs_tmp,
        atomic_path(out_dir / PER_CLASS) as class_tmp,
        open(epochs_tmp, "w", newline="") as epochs_file,
        open(class_tmp, "w", newline="") as class_file,
    ):
        epochs_out, class_out = _RowWriter(epochs_file), _RowWriter(class_file)
        for row, epoch_rows, class_rows in _read_runs(metrics_paths):
            runs.append(row)
            epochs_out.write(epoch_rows)
            class_out.write(class_rows)
        if not runs:
            raise ValueError("no metrics files to aggregate")
        table = _runs_table(runs, explain_paths)
        write_tables({RUNS: table}, out_dir)
    return len(runs)


class _RowWriter:
    """CSV rows from dicts with the same keys: csv.writer on their values, twice as fast as
    csv.DictWriter (a quarter of the aggregate step's time on the thesis grid)."""

    def __init__(self, stream) -> None:
        self.writer = csv.writer(stream)
        self.header: list[str] | None = None

    def write(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.header is None:
            self.header = list(rows[0])
            self.writer.writerow(self.header)
        if any(list(row) != self.header for row in (rows[0], rows[-1])):
            self.writer.writerows([row.get(key) for key in self.header] for row in rows)
        else:
            self.writer.writerows(row.values() for row in rows)


def _runs_table(
    runs: list[dict[str, Any]], explain_paths: Iterable[str | os.PathLike] | None
) -> pd.DataFrame:
    return with_explanations(pd.DataFrame(runs), explain_paths or []).sort_values(
        "run_id", ignore_index=True
    )


EXPLAIN_COLUMNS = ["deletion_auc", "insertion_auc", "average_drop", "increase_in_confidence"]


def with_explanations(
    runs: pd.DataFrame, explain_paths: Iterable[str | os.PathLike]
) -> pd.DataFrame:
    """``runs`` plus the explain step's per-run means, matched by run_id; no files, no columns."""
    rows = []
    for path in explain_paths:
        data = read_json(path)
        rows.append(
            {
                "run_id": data["run_id"],
                "explain_method": data["method"],
                "explain_images": data["images"],
                **{key: data["mean"][key] for key in EXPLAIN_COLUMNS},
                # Target probability on the intact and on the baseline image: equal, and the
                # baseline removed nothing (report/explainability.py flags it).
                "explain_confidence": data["mean"].get("confidence", math.nan),
                "explain_baseline_confidence": data["mean"].get("baseline_confidence", math.nan),
                "explain_blur_sigma_px": data.get("blur_sigma_px", math.nan),
            }
        )
    if not rows:
        return runs
    frame = pd.DataFrame(rows)
    unknown = sorted(set(frame["run_id"]) - set(runs["run_id"]))
    if unknown or frame["run_id"].duplicated().any():
        raise ValueError(f"explanation files must match runs one to one; unmatched: {unknown}")
    return runs.merge(frame, on="run_id", how="left", validate="one_to_one")


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | os.PathLike) -> None:
    for name, frame in tables.items():
        with atomic_path(Path(out_dir) / name) as tmp:
            frame.to_csv(tmp, index=False)


def read_tables(results_dir: str | os.PathLike) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(Path(results_dir) / name) for name in (RUNS, EPOCHS, PER_CLASS)}
