"""Synthetic but schema-true results for every run of a grid, with known effects planted.

A full grid (the source thesis' 21,690 runs) costs GPU-months, so the aggregate, report and
thesis steps are proven at that scale on simulated runs: data/runs/<run_id>/metrics.json and
data/explain/<run_id>/metrics.json with the structure train/run.py and explain/measure.py
write (per-epoch curves, test metrics with per-class results and the confusion matrix, proxy-step
records, timings, device). Only the numbers are invented; each file says so under "simulated".

Test accuracy of a run = base(dataset, model) + seed term shared by every run of that dataset,
model and seed (it cancels in a paired difference, as a shared initialisation and batch order
does) + run noise + the planted gain of ``planted_gain``. Nothing else differs between variants.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from proxy_attention import layout
from proxy_attention.atomic import write_json, write_text
from proxy_attention.bundles import bundles
from proxy_attention.grid import RunSpec, expand_grid
from proxy_attention.schedule import iter_epochs
from proxy_attention.slices import explain_settings, train_settings
from proxy_attention.stamps import stamp

# (classes, test images) of the thesis datasets at its 20% test fraction; others get 10 classes.
DATASET_SHAPES = {
    "cifar100": (100, 12_000),
    "stanford_dogs": (120, 4_116),
    "imagenette": (10, 2_679),
    "asl_alphabet": (29, 17_400),
    "food101": (101, 20_200),
    "plant_village": (38, 10_861),
}
BASE_ACCURACY = {"imagenette": 0.95, "asl_alphabet": 0.97, "plant_village": 0.96}
MODEL_OFFSET = {"resnet18": -0.04, "vgg16": -0.05, "efficientnet_b0": 0.01}
EFFECT_DATASET = "food101"
# What a simulated run has for a checkpoint: nothing loads it (the steps that would, explain
# and the notebooks, are held complete), but the explain rule lists it as an input.
CHECKPOINT_STAND_IN = "simulated run: no weights (tests/helpers/simulated_runs.py)\n"


@dataclass(frozen=True)
class Noise:
    """Seed noise in accuracy (fractions): shared by a seed's runs, and per run."""

    seed_sd: float = 0.004
    run_sd: float = 0.001
    val_sd: float = 0.001


def planted_gain(spec: RunSpec, effect_dataset: str = EFFECT_DATASET) -> float:
    """The true gain of a run over its control: +1.0 point on ``effect_dataset`` at thresholds
    of at least 0.8, -0.5 point at weight 0.95 on every dataset, nothing elsewhere."""
    if spec.proxy is None:
        return 0.0
    gain = 0.0
    if spec.dataset == effect_dataset and spec.proxy.threshold >= 0.8:
        gain += 0.010
    if spec.proxy.weight == 0.95:
        gain -= 0.005
    return gain


def _stable_rng(*parts: object) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("/".join(map(str, parts)).encode()))


def expected_accuracy(spec: RunSpec, seed: int, noise: Noise) -> tuple[float, float]:
    """(test, final validation) accuracy of ``spec``: base, shared seed term, noise, effect."""
    base = BASE_ACCURACY.get(spec.dataset, 0.80) + MODEL_OFFSET.get(spec.model, 0.0)
    shared = _stable_rng(seed, spec.dataset, spec.model, spec.seed).normal(0.0, noise.seed_sd)
    own = _stable_rng(seed, spec.run_id)
    effect = planted_gain(spec)
    test = base + shared + own.normal(0.0, noise.run_sd) + effect
    val = base + shared + own.normal(0.0, noise.val_sd) + effect
    return float(np.clip(test, 0.01, 0.995)), float(np.clip(val, 0.01, 0.995))


def confusion(classes: int, images: int, accuracy: float, rng: np.random.Generator) -> np.ndarray:
    """A confusion matrix with exactly round(accuracy * images) correct, errors spread at random."""
    support = np.full(classes, images // classes)
    support[: images % classes] += 1
    difficulty = rng.uniform(0.7, 1.0, classes) * support
    target = round(accuracy * images)
    share = target * difficulty / difficulty.sum()
    correct = np.minimum(np.floor(share).astype(int), support)
    # Largest remainder: hand the correct images still missing to the classes with room.
    order = np.argsort(share - correct)[::-1]
    while correct.sum() < target:
        room = order[correct[order] < support[order]]
        correct[room[: target - correct.sum()]] += 1
    matrix = np.zeros((classes, classes), dtype=np.int64)
    matrix[np.arange(classes), np.arange(classes)] = correct
    wrong = np.repeat(np.arange(classes), support - correct)
    shift = rng.integers(1, max(classes, 2), wrong.size) if classes > 1 else 0
    np.add.at(matrix, (wrong, (wrong + shift) % classes), 1)
    return matrix


def scores_from_confusion(matrix: np.ndarray, loss: float) -> dict[str, Any]:
    """The test block of a run's metrics.json from its confusion matrix (sklearn's definitions)."""
    tp = np.diag(matrix).astype(float)
    predicted, support = matrix.sum(axis=0), matrix.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(tp), where=total > 0)
    names = [f"class_{index:03d}" for index in range(len(tp))]
    return {
        "loss": loss,
        "accuracy": float(tp.sum() / matrix.sum()),
        "precision_macro": float(precision.mean()),
        "recall_macro": float(recall.mean()),
        "f1_macro": float(f1.mean()),
        "confusion_matrix": matrix.tolist(),
        "per_class": [
            {"class": n, "precision": p, "recall": r, "f1": f, "support": int(s)}
            for n, p, r, f, s in zip(
                names, precision.tolist(), recall.tolist(), f1.tolist(), support, strict=True
            )
        ],
    }


def epoch_rows(
    spec: RunSpec, final_val: float, rng: np.random.Generator
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per-epoch rows rising to ``final_val``, and one proxy-step record per p epoch."""
    epochs, steps, replaced = [], [], 0
    schedule = list(iter_epochs(spec.schedule))
    for epoch, proxy_follows in schedule:
        progress = 1.0 - np.exp(-epoch / 6.0)
        val = final_val * (0.55 + 0.45 * progress / (1.0 - np.exp(-len(schedule) / 6.0)))
        proxy_seconds = 0.0
        if proxy_follows and spec.proxy is not None:
            misclassified = int(rng.integers(500, 5000))
            chosen = int(misclassified * spec.proxy.subset)
            proxy_seconds = float(rng.uniform(20.0, 60.0))
            replaced = chosen if spec.proxy.clear_every_step else replaced + chosen
            steps.append(
                {
                    "epoch": epoch,
                    "misclassified": misclassified,
                    "train_size": 50_000,
                    "selection_seconds": proxy_seconds * 0.01,
                    "chosen": chosen,
                    "fraction_pixels_changed": float(1.0 - spec.proxy.threshold) * 0.8,
                    "saliency_seconds": proxy_seconds * 0.8,
                    "write_seconds": proxy_seconds * 0.2,
                    "settings": {
                        "method": spec.proxy.method,
                        "threshold": spec.proxy.threshold,
                        "weight": spec.proxy.weight,
                        "subset": spec.proxy.subset,
                        "clear_every_step": spec.proxy.clear_every_step,
                        "mode": spec.proxy.mode,
                    },
                }
            )
        epochs.append(
            {
                "epoch": epoch,
                "train_loss": float(2.5 * (1.0 - progress) + 0.2),
                "train_accuracy": float(min(0.999, final_val * (0.6 + 0.45 * progress))),
                "val_loss": float(2.0 * (1.0 - val) + rng.normal(0.0, 0.01)),
                "val_accuracy": float(final_val if epoch == len(schedule) else val),
                "lr": 0.002 * float(np.sin(np.pi * epoch / (len(schedule) + 1))),
                "train_seconds": float(rng.uniform(55.0, 65.0)),
                "proxy_seconds": proxy_seconds,
                "replaced": replaced,
            }
        )
    return epochs, steps


def run_metrics(spec: RunSpec, params: dict[str, Any], seed: int, noise: Noise) -> dict[str, Any]:
    """A run's metrics.json as train/run.py writes it, with simulated numbers."""
    rng = _stable_rng(seed, "run", spec.run_id)
    classes, images = DATASET_SHAPES.get(spec.dataset, (10, 2_000))
    test, val = expected_accuracy(spec, seed, noise)
    epochs, steps = epoch_rows(spec, val, rng)
    train_seconds = sum(row["train_seconds"] for row in epochs)
    proxy_seconds = sum(row["proxy_seconds"] for row in epochs)
    scores = scores_from_confusion(confusion(classes, images, test, rng), 2.0 * (1.0 - test))
    return {
        "run_id": spec.run_id,
        "spec": spec.as_dict(),
        "control_id": spec.control_id,
        "dataset": {
            "name": spec.dataset,
            "classes": [row["class"] for row in scores["per_class"]],
            "train": images * 13 // 4,
            "val": images * 3 // 4,
            "test": images,
        },
        "train_settings": params["train"],
        "batch_size_source": "params",
        "device": "cuda",
        "epochs": epochs,
        "proxy_steps": steps,
        "test": scores,
        "protocol": {"resplit_each_round": spec.resplit_each_round, "splits_used": 1},
        "timing": {
            "wall_seconds": train_seconds + proxy_seconds + float(rng.uniform(30.0, 90.0)),
            "train_seconds": train_seconds,
            "proxy_seconds": proxy_seconds,
        },
        "simulated": {"by": __name__, "seed": seed, "planted_gain": planted_gain(spec)},
    }


def explain_metrics(spec: RunSpec, params: dict[str, Any], seed: int) -> dict[str, Any]:
    """A run's explain metrics.json as explain/measure.py writes it (no per-image arrays)."""
    rng = _stable_rng(seed, "explain", spec.run_id)
    settings = params["explain"]
    return {
        "run_id": spec.run_id,
        "method": settings["method"],
        "target": settings["target"],
        "steps": settings["steps"],
        "baseline": settings["baseline"],
        "images": settings["max_images"],
        "accuracy_on_images": float(rng.uniform(0.7, 0.95)),
        "mean": {
            "deletion_auc": float(rng.normal(0.25, 0.02)),
            "insertion_auc": float(rng.normal(0.65, 0.02)),
            "average_drop": float(rng.normal(0.35, 0.03)),
            "increase_in_confidence": float(rng.normal(0.20, 0.03)),
        },
        "seconds": float(rng.uniform(20.0, 40.0)),
        "simulated": {"by": __name__, "seed": seed},
    }


def write_run(
    spec: RunSpec, params: dict[str, Any], root: Path, seed: int, noise: Noise, stamped: bool
) -> None:
    """One run's files where the train and explain steps put them. ``stamped``: also as those
    steps leave them, in their order: a stand-in checkpoint (explain's input, so older than
    its result), each result stamped with the current settings and code (stamps.stamp)."""
    run_metrics_path = root / layout.run_file(spec.run_id)
    explain_path = root / layout.explain_metrics(spec.run_id)
    if stamped:
        write_text(root / layout.run_file(spec.run_id, layout.CHECKPOINT), CHECKPOINT_STAND_IN)
    # Compact JSON: json.dumps with indent falls back to the pure-Python encoder, 20x slower.
    write_text(run_metrics_path, json.dumps(run_metrics(spec, params, seed, noise)))
    if stamped:
        stamp(run_metrics_path, train_settings(params), spec.run_id, "train")
    write_text(explain_path, json.dumps(explain_metrics(spec, params, seed)))
    if stamped:
        stamp(explain_path, explain_settings(params), spec.run_id, "explain")


def write_bundle_markers(params: dict[str, Any], root: Path) -> None:
    """The marker of every bundle job (grid.train_together), as bundles.run_bundle writes it
    after the bundle's runs: what Snakemake tracks for them."""
    for bundle_id, run_ids in bundles(params).items():
        done = {"runs": [{"run_id": r, "status": "simulated", "seconds": 0.0} for r in run_ids]}
        for step in ("train", "explain"):
            write_json(root / layout.marker(step, bundle_id), done)


def simulate_grid(
    params: dict[str, Any],
    root: str | Path,
    seed: int = 0,
    noise: Noise = Noise(),
    as_pipeline: bool = False,
) -> int:
    """Write every run of ``params``' (validated) grid under ``root``/data/runs and
    data/explain. ``as_pipeline``: as the train and explain rules leave them, stamped, with
    stand-in checkpoints and (grid.train_together) the bundle markers, so that a real run of
    those steps finds every run current."""
    root = Path(root)
    specs = expand_grid(params)
    for spec in specs:
        write_run(spec, params, root, seed, noise, stamped=as_pipeline)
    if as_pipeline and params["grid"]["train_together"]:
        write_bundle_markers(params, root)
    return len(specs)


def simulated_report(params: dict[str, Any], folder: Path) -> dict[str, str]:
    """The report step's LaTeX (folder/generated) on the simulated runs of ``params``' grid:
    evaluation, appendix and explainability by name."""
    from proxy_attention.report.aggregate import aggregate_to
    from proxy_attention.report.build import write_report

    simulate_grid(params, folder)
    ids = [spec.run_id for spec in expand_grid(params)]
    aggregate_to(
        [folder / layout.RUNS_ROOT / i / layout.METRICS for i in ids],
        [folder / layout.EXPLAIN_ROOT / i / layout.METRICS for i in ids],
        folder / "results",
    )
    params_file = folder / "params.yaml"
    params_file.write_text("report: {confidence: 0.95}\n")
    write_report(folder / "results", params, params_file, folder / "generated")
    return {
        name: (folder / "generated" / f"{name}.tex").read_text()
        for name in ("evaluation", "appendix", "explainability")
    }
