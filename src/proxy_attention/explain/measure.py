"""The explain step: faithfulness of one run's saliency maps on a fixed set of test images."""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from proxy_attention.atomic import remove_temporaries, save_npy, write_json
from proxy_attention.checkpoint import load_classifier
from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.split import load_split
from proxy_attention.data.views import ImageStore
from proxy_attention.errors import UserError
from proxy_attention.explain.evaluate import explanation_scores, summarise
from proxy_attention.explain.faithfulness import blur_baseline, blur_sigma
from proxy_attention.grid import RunSpec
from proxy_attention.slices import ExplainSlice, require_slice

METRICS = ("deletion_auc", "insertion_auc", "average_drop", "increase_in_confidence")
# Per-image arrays written next to metrics.json, one .npy each (the rule declares them all).
PER_IMAGE = ("indices", "target", "label", "confidence", "baseline_confidence", *METRICS)


class ExplainMethodError(UserError):
    """The evaluation saliency method is the one the run trained with, so it would grade itself."""


def check_method(spec: RunSpec, method: str) -> None:
    """Refuse to evaluate a proxy run with the saliency method its proxy step used."""
    if spec.proxy is not None and spec.proxy.method == method:
        raise ExplainMethodError(
            f"explain.method = {method!r} is the proxy method of run {spec.run_id!r}; "
            "an explanation must be evaluated with a different method (e.g. eigengradcam for a "
            "gradcampp-trained run): change explain.method or grid.proxy.methods"
        )


def select_images(
    indices: np.ndarray, labels: np.ndarray, max_images: int, seed: int
) -> np.ndarray:
    """Up to ``max_images`` of ``indices``, sorted: all, a seeded stratified subset, or the first.

    The choice depends on the split and labels only, so every run of a dataset is measured on the
    same images. Stratification needs two images per class and one slot per class; otherwise
    the first ``max_images`` are taken.
    """
    indices = np.sort(np.asarray(indices))
    if len(indices) <= max_images:
        return indices
    counts = np.bincount(labels[indices])
    if max_images >= np.count_nonzero(counts) and counts[counts > 0].min() >= 2:
        chosen, _ = train_test_split(
            indices, train_size=max_images, stratify=labels[indices], random_state=seed
        )
        return np.sort(chosen)
    return indices[:max_images]


def measure_run(
    spec: RunSpec,
    explain_params: ExplainSlice,
    checkpoint: str | Path,
    prepared_dir: str | Path,
    split_path: str | Path,
    out: str | Path,
    device: torch.device | str = "cpu",
    dataset: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write ``out`` (metrics.json: means per run) and the per-image arrays beside it.

    ``explain_params`` is ``slices.explain_slice(params)`` and nothing else, so the step reads
    only what its settings string declares; ``dataset`` is the dataset's params entry, whose
    source fixes the native resolution of the blur baseline.
    """
    require_slice(explain_params, ExplainSlice, "measure_run")
    settings = explain_params.explain
    check_method(spec, settings["method"])
    started = time.perf_counter()
    out = Path(out)
    _clear_result(out)
    model = _run_model(checkpoint, spec, device)
    data = open_prepared(prepared_dir)
    chosen = select_images(
        load_split(split_path).test, data.labels, settings["max_images"], settings["seed"]
    )
    native_size = None if dataset is None else native_image_size(dataset)
    saliency = functools.partial(_saliency, target_layer=explain_params.target_layer)
    scores, predicted = _scores(
        model, ImageStore(data.images, data.labels), chosen, settings, saliency, native_size, device
    )
    labels = data.labels[chosen]
    _write_arrays(out, scores, chosen, labels)
    result = {
        "run_id": spec.run_id,
        "method": settings["method"],
        "target": settings["target"],
        "steps": settings["steps"],
        "baseline": settings["baseline"],
        "blur_sigma_px": (
            blur_sigma(data.image_size, native_size) if settings["baseline"] == "blur" else None
        ),
        "images": len(chosen),
        "accuracy_on_images": float((predicted.numpy() == labels).mean()),
        "mean": summarise(scores),
        "seconds": time.perf_counter() - started,
    }
    write_json(out, result)
    return result


def _clear_result(out: Path) -> None:
    """The folder is this run's explanation alone: a killed attempt's temporary files go, and
    the old metrics.json (which marks it complete) goes before new arrays are written."""
    remove_temporaries(out.parent)
    out.unlink(missing_ok=True)


def _run_model(checkpoint: str | Path, spec: RunSpec, device: torch.device | str):
    model, _ = load_classifier(checkpoint, device, {"arch": spec.model, "run_id": spec.run_id})
    return model


def _scores(
    model: torch.nn.Module,
    store: ImageStore,
    chosen: np.ndarray,
    settings: dict[str, Any],
    saliency,
    native_size: int | None,
    device: torch.device | str,
) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Per-image faithfulness scores of ``chosen``, and the model's predictions on them."""
    predicted: list[torch.Tensor] = []

    def batches():
        # A generator, so only one batch of images is in memory; predictions ride along.
        for _, images, labels in store.batches(
            chosen, settings["batch_size"], torch.device(device)
        ):
            with torch.no_grad():
                predicted.append(model(images).argmax(dim=1).cpu())
            yield images, labels

    baseline = settings["baseline"]
    if baseline == "blur":
        baseline = functools.partial(blur_baseline, native_size=native_size)
    scores = explanation_scores(
        model,
        batches(),
        settings["method"],
        steps=settings["steps"],
        baseline=baseline,
        batch_size=settings["batch_size"],
        target=settings["target"],
        saliency_fn=saliency,
    )
    return scores, torch.cat(predicted)


def _write_arrays(
    out: Path, scores: dict[str, torch.Tensor], chosen: np.ndarray, labels: np.ndarray
) -> None:
    arrays = {key: value.numpy() for key, value in scores.items()}
    arrays.update(indices=chosen, label=labels)
    for name in PER_IMAGE:
        save_npy(out.parent / f"{name}.npy", arrays[name])


def native_image_size(dataset: dict[str, Any]) -> int | None:
    """The published image side of the dataset's source, where the source fixes one."""
    from proxy_attention.data.sources.registry import SOURCES

    source = SOURCES.get(dataset["source"])
    return None if source is None else source.native_size


def _saliency(model, images, targets, method, target_layer=None) -> torch.Tensor:
    from proxy_attention.saliency import saliency_maps

    return saliency_maps(model, images, targets, method, target_layer)
