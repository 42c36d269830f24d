"""Inference with a trained run: classify a folder of images, optionally with saliency overlays."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import torch
from PIL import Image

from proxy_attention.atomic import atomic_path, read_json
from proxy_attention.checkpoint import CHECKPOINT, load_classifier
from proxy_attention.data.conversions import to_float
from proxy_attention.data.sources.decode import BadImage, load_rgb
from proxy_attention.errors import UserError
from proxy_attention.layout import METRICS
from proxy_attention.models import ImageClassifier
from proxy_attention.saliency import METHODS, saliency_maps
from proxy_attention.train.loop import select_device

OVERLAY_ALPHA = 0.5  # heat map weight in the overlay PNGs


def load_run(run_dir: str | Path, device: torch.device) -> tuple[ImageClassifier, dict]:
    """The run's classifier in eval mode on ``device``, and its checkpoint metadata; the
    checkpoint must be the one the run's metrics.json describes (its run and architecture)."""
    metrics = Path(run_dir) / METRICS
    expected = None
    if metrics.exists():
        run = read_json(metrics)
        expected = {"run_id": run["run_id"], "arch": run["spec"]["model"]}
    return load_classifier(Path(run_dir) / CHECKPOINT, device, expected)


def image_files(folder: str | Path) -> list[Path]:
    """Every file under ``folder`` whose extension PIL can open, sorted."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder of images")
    extensions = {ext for ext, _ in Image.registered_extensions().items()}
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in extensions)


def predict_folder(
    run_dir: str | Path,
    images_dir: str | Path,
    out_csv: str | Path,
    saliency_method: str | None = None,
    overlays_dir: str | Path | None = None,
    batch_size: int = 64,
    device: str = "auto",
) -> pd.DataFrame:
    """Write ``out_csv`` (file, label, probability) for every readable image and return it.

    Images are decoded like prepared data (RGB, resized to the run's image size); with
    ``overlays_dir``, a saliency overlay PNG per image explains the predicted class.
    """
    if overlays_dir is not None and (saliency_method or "gradcam") not in METHODS:
        raise UserError(f"--saliency-method {saliency_method!r}: choose one of {sorted(METHODS)}")
    torch_device = select_device(device)
    model, meta = load_run(run_dir, torch_device)
    files = image_files(images_dir)
    if not files:
        raise UserError(f"{images_dir}: no image files found")
    rows: list[dict] = []
    for names, images in _batches(files, Path(images_dir), meta["image_size"], batch_size):
        batch = to_float(torch.from_numpy(images).to(torch_device, non_blocking=True))
        with torch.no_grad():
            probabilities = model(batch).float().softmax(dim=1)
        confidence, predicted = probabilities.max(dim=1)
        for name, label, prob in zip(names, predicted.tolist(), confidence.tolist(), strict=True):
            rows.append({"file": name, "label": meta["classes"][label], "probability": prob})
        if overlays_dir is not None:
            maps = saliency_maps(model, batch, predicted, saliency_method or "gradcam")
            for name, image, heat in zip(names, images, maps.cpu().numpy(), strict=True):
                _write_overlay(Path(overlays_dir) / overlay_name(name), image, heat)
    if not rows:
        raise UserError(f"{images_dir}: none of the {len(files)} image files could be decoded")
    table = pd.DataFrame(rows, columns=["file", "label", "probability"])
    with atomic_path(out_csv) as tmp:
        table.to_csv(tmp, index=False)
    return table


def _batches(
    files: list[Path], root: Path, size: int, batch_size: int
) -> Iterator[tuple[list[str], np.ndarray]]:
    """Decoded (names, uint8 (B, H, W, 3)) batches; unreadable files are reported and skipped."""
    names: list[str] = []
    images: list[np.ndarray] = []
    for path in files:
        try:
            image, _ = load_rgb(lambda path=path: Image.open(path), size)
        except BadImage as exc:
            print(f"warning: skipped {path}: {exc}", file=sys.stderr)
            continue
        names.append(path.relative_to(root).as_posix())
        images.append(image)
        if len(images) == batch_size:
            yield names, np.stack(images)
            names, images = [], []
    if images:
        yield names, np.stack(images)


def overlay_name(name: str) -> str:
    """``a.jpg`` -> ``a_jpg.png``: the extension stays in the name, so ``a.jpg`` and ``a.png``
    get two overlays (extensions have no ``_``, so no two image names share one)."""
    path = Path(name)
    return path.with_name(f"{path.stem}_{path.suffix.lstrip('.').lower()}.png").as_posix()


def overlay(image: np.ndarray, saliency: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 3): the image blended with the inferno-coloured map (maps are in [0, 1])."""
    heat = matplotlib.colormaps["inferno"](saliency)[..., :3] * 255.0
    blended = (1 - OVERLAY_ALPHA) * image.astype(np.float64) + OVERLAY_ALPHA * heat
    return blended.round().clip(0, 255).astype(np.uint8)


def _write_overlay(path: Path, image: np.ndarray, saliency: np.ndarray) -> None:
    with atomic_path(path) as tmp:
        Image.fromarray(overlay(image, saliency)).save(tmp, format="PNG")
