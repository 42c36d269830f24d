"""Saliency-map figures of trained runs; the notebooks in notebooks/ call these and save them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import torch

from proxy_attention.checkpoint import load_classifier
from proxy_attention.data.conversions import to_float
from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.split import load_split
from proxy_attention.proxy.artifacts import RECORD, load_step
from proxy_attention.proxy.images import proxy_images
from proxy_attention.report.plotting import plt
from proxy_attention.saliency import saliency_maps
from proxy_attention.train.loop import select_device

RIGHT, WRONG = "#1a7f37", "#cf222e"


def pick_images(indices: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """``count`` of ``indices`` (sorted input order), classes taken in turn: the first image of
    each class, then the second of each, and so on, so few images still cover many classes."""
    indices = np.sort(np.asarray(indices))
    classes = labels[indices]
    rank = np.zeros(len(indices), dtype=np.int64)
    for label in np.unique(classes):
        members = classes == label
        rank[members] = np.arange(members.sum())
    order = np.lexsort((indices, classes, rank))  # last key first: rank, then class, then index
    return indices[order[:count]]


def heat_overlay(image: np.ndarray, saliency: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """``image`` (H, W, 3) in [0, 1] blended with the inferno colour map of ``saliency`` (H, W)."""
    heat = matplotlib.colormaps["inferno"](np.asarray(saliency, dtype=np.float64))[..., :3]
    return (1.0 - alpha) * np.asarray(image, dtype=np.float64) + alpha * heat


def _images(prepared: str | Path, indices: np.ndarray, device: torch.device) -> torch.Tensor:
    data = open_prepared(prepared)
    return to_float(torch.from_numpy(np.asarray(data.images[np.sort(indices)])).to(device))


def _hwc(images: torch.Tensor) -> np.ndarray:
    return images.permute(0, 2, 3, 1).cpu().numpy()


def _axes(rows: int, columns: int, cell: float = 1.15) -> tuple[plt.Figure, np.ndarray]:
    fig, axes = plt.subplots(
        rows, columns, figsize=(cell * columns + 0.6, cell * rows + 0.3), squeeze=False
    )
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes


def _colour_bar(fig: plt.Figure, axes: Sequence[plt.Axes], label: str) -> None:
    """One inferno colour bar for map values 0..1 beside ``axes`` (call after tight_layout)."""
    scale = matplotlib.cm.ScalarMappable(matplotlib.colors.Normalize(0.0, 1.0), "inferno")
    bar = fig.colorbar(scale, ax=list(axes), fraction=0.025, pad=0.01)
    bar.set_label(label, fontsize=7)
    bar.ax.tick_params(labelsize=7)


def _explain(model, images, method, target_layer, targets=None):
    """Predictions and maps of ``method`` for ``targets`` (default: the predicted class)."""
    with torch.no_grad():
        predicted = model(images).argmax(dim=1)
    targets = predicted if targets is None else torch.as_tensor(targets, device=images.device)
    return predicted.cpu().numpy(), saliency_maps(model, images, targets, method, target_layer)


def comparison_figure(
    proxy_checkpoint: str | Path,
    control_checkpoint: str | Path,
    prepared: str | Path,
    split: str | Path,
    method: str,
    images: int = 8,
    target_layer: str | None = None,
    device: str = "cpu",
) -> plt.Figure:
    """Test images (top row), then the control's and the proxy run's maps of their predicted
    class overlaid, titled with the prediction in green (right) or red (wrong)."""
    device_ = select_device(device)
    data = open_prepared(prepared)
    chosen = pick_images(load_split(split).test, data.labels, images)
    batch = _images(prepared, chosen, device_)
    labels = data.labels[np.sort(chosen)]
    rows = [("control", control_checkpoint), ("proxy", proxy_checkpoint)]
    fig, axes = _axes(1 + len(rows), len(chosen))
    for column, (image, label) in enumerate(zip(_hwc(batch), labels, strict=True)):
        axes[0, column].imshow(image)
        axes[0, column].set_title(data.classes[label][:12], fontsize=7)
    axes[0, 0].set_ylabel("image\n(true class)", fontsize=7)
    for row, (name, checkpoint) in enumerate(rows, start=1):
        model, _ = load_classifier(checkpoint, device_)
        predicted, maps = _explain(model, batch, method, target_layer)
        heat = maps.cpu().numpy()
        overlays = [heat_overlay(i, m) for i, m in zip(_hwc(batch), heat, strict=True)]
        for column, (overlay, guess, label) in enumerate(
            zip(overlays, predicted, labels, strict=True)
        ):
            ax = axes[row, column]
            ax.imshow(overlay)
            mark = "right" if guess == label else "wrong"
            ax.set_title(
                f"{data.classes[guess][:9]} ({mark})",
                fontsize=6,
                color=RIGHT if guess == label else WRONG,
            )
        correct = int((predicted == labels).sum())
        axes[row, 0].set_ylabel(f"{name}\n{correct}/{len(labels)} right", fontsize=7)
    fig.suptitle(f"{method} maps of the predicted class", fontsize=8)
    fig.tight_layout()
    _colour_bar(fig, axes[1:].ravel(), "map value (overlay at 50%)")
    return fig


@dataclass(frozen=True)
class Gallery:
    """What a proxy gallery draws: the control's model and data, which images, and the proxy
    settings it shows them at (notebooks/proxy_gallery.py has them from papermill)."""

    control_checkpoint: str | Path
    prepared: str | Path
    split: str | Path
    method: str
    thresholds: Sequence[float]
    weights: Sequence[float]
    images: int = 3
    subset: str = "test"
    mode: str = "blended"
    target: str = "predicted"
    target_layer: str | None = None
    device: str = "cpu"


def gallery_figure(gallery: Gallery) -> plt.Figure:
    """One row per image: original, the control model's map, then the proxy image for every
    (threshold, weight), as the proxy step would make it (approach.tex)."""
    device = select_device(gallery.device)
    data = open_prepared(gallery.prepared)
    chosen = pick_images(getattr(load_split(gallery.split), gallery.subset), data.labels,
                         gallery.images)  # fmt: skip
    batch = _images(gallery.prepared, chosen, device)
    labels = data.labels[np.sort(chosen)]
    model, _ = load_classifier(gallery.control_checkpoint, device)
    explained = labels if gallery.target == "label" else None
    method = gallery.method
    _, maps = _explain(model, batch, method, gallery.target_layer, explained)
    settings = [(t, w) for t in gallery.thresholds for w in gallery.weights]
    proxies = [_hwc(proxy_images(batch, maps, t, w, gallery.mode)) for t, w in settings]
    fig, axes = _axes(len(chosen), 2 + len(settings))
    originals, heat = _hwc(batch), maps.cpu().numpy()
    for row, label in enumerate(labels):
        axes[row, 0].imshow(originals[row])
        axes[row, 0].set_ylabel(data.classes[label][:12], fontsize=7)
        axes[row, 1].imshow(heat[row], cmap="inferno", vmin=0, vmax=1)
        for column, proxy in enumerate(proxies, start=2):
            axes[row, column].imshow(proxy[row])
    axes[0, 0].set_title("original", fontsize=7)
    axes[0, 1].set_title(f"{method} map", fontsize=7)
    for column, (t, w) in enumerate(settings, start=2):
        axes[0, column].set_title(f"τ={t:g}, λ={w:g}", fontsize=7)
    fig.tight_layout()
    _colour_bar(fig, axes.ravel(), f"{method} map value")
    return fig


def steps_figure(run_dir: str | Path, prepared: str | Path, images: int = 6) -> plt.Figure:
    """Per proxy step of a run, the first chosen images: the original, the saliency map the
    step used, and the proxy that replaced the original, one above the other."""
    steps = sorted((Path(run_dir) / "proxy").glob("step-*"))
    if not steps:
        raise ValueError(f"{run_dir} has no proxy steps (proxy/step-NN); is it a proxy run?")
    data = open_prepared(prepared)
    fig, axes = _axes(3 * len(steps), images)
    for number, step_dir in enumerate(steps):
        record = json.loads((step_dir / RECORD).read_text())
        before, saliency, after = axes[3 * number : 3 * number + 3]
        before[0].set_ylabel(f"step {step_dir.name.split('-')[-1].lstrip('0')}\nbefore", fontsize=7)
        saliency[0].set_ylabel("map", fontsize=7)
        chosen = f"{record['chosen']} of {record['misclassified']}"
        after[0].set_ylabel(f"after\n({chosen})", fontsize=7)
        # An empty step has zero-row arrays, which cannot be memory-mapped: skip the loading.
        artifacts = load_step(step_dir) if record["chosen"] else {"indices": []}
        shown = min(images, len(artifacts["indices"]))
        for column in range(shown):
            label = data.labels[artifacts["indices"][column]]
            aim = artifacts["targets"][column]
            before[column].imshow(artifacts["originals"][column])
            saliency[column].imshow(
                np.asarray(artifacts["maps"][column], dtype=np.float32),
                cmap="inferno",
                vmin=0,
                vmax=1,
            )
            after[column].imshow(artifacts["images"][column])
            before[column].set_title(
                f"{data.classes[label][:7]}, map: {data.classes[aim][:7]}", fontsize=6
            )
        for column in range(max(shown, 1), images):
            for row in (before, saliency, after):
                row[column].axis("off")
        if not shown:
            before[0].text(0.5, 0.5, "no image chosen", ha="center", va="center", fontsize=7)
            saliency[0].axis("off")
    fig.tight_layout()
    _colour_bar(fig, axes.ravel(), "map value")
    return fig
