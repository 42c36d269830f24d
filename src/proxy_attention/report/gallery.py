"""The augmentation gallery: every augmentation of a list applied to the same four training
images, one row each, drawn from the registry (a new entry appears with no other change).

Mixes print each image's partner and the label weights they gave. The saliency-guided entries
read a stand-in saliency, the image's brightness: the gallery has no trained model, and the
figure shows what each augmentation does with a map, not what a model attends to.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from proxy_attention.augment import (
    batch_augment,
    batch_transform,
    get_augmentation,
    sample_transform,
)
from proxy_attention.report.plotting import plt

COLUMNS = 4


def brightness(images: torch.Tensor, classes: torch.Tensor | None = None) -> torch.Tensor:
    """The stand-in saliency of the gallery: each pixel's mean colour, (B, H, W) in [0, 1]."""
    return images.mean(1)


def augmented_row(
    name: str, images: np.ndarray, labels: np.ndarray, num_classes: int, seed: int = 0
) -> tuple[torch.Tensor, list[str]]:
    """``name`` applied to uint8 ``images`` (4, H, W, 3): float images (4, 3, H, W) in [0, 1]
    and a caption per image (the partner and label weights of a mix)."""
    torch.manual_seed(seed)
    batch = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2)
    if get_augmentation(name).is_per_sample:
        per_sample = sample_transform(name, images.shape[1])
        batch = torch.stack([per_sample(image) for image in batch])
    else:
        batch = batch.float() / 255
    with torch.no_grad():
        batch = batch_transform(name)(batch)
    mix = batch_augment(name, num_classes, brightness)
    if mix is None:
        return batch, [""] * len(batch)
    labels_t = torch.from_numpy(np.asarray(labels)).long()
    batch, targets = mix(batch, labels_t)
    return batch, [_weights_caption(row, i, len(batch)) for i, row in enumerate(targets)]


def _weights_caption(target: torch.Tensor, index: int, count: int) -> str:
    shares = [(c, float(w)) for c, w in enumerate(target) if float(w) > 0]
    weights = ", ".join(f"c{c}:{w:.2f}" for c, w in shares)
    # A mix that keeps the label (KeepAugment, Sample Pairing) shows its one weight only.
    return f"partner {(index - 1) % count + 1}\n{weights}" if len(shares) > 1 else weights


def gallery_figure(
    names: list[str], images: np.ndarray, labels: np.ndarray, num_classes: int
) -> plt.Figure:
    """One row per augmentation over the same ``images`` (the first row: the originals)."""
    rows = ["original", *names]
    fig, axes = plt.subplots(len(rows), COLUMNS, figsize=(COLUMNS * 1.3, len(rows) * 1.45))
    for r, name in enumerate(rows):
        if name == "original":
            shown = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2) / 255
            captions = [f"image {i + 1}, c{labels[i]}" for i in range(COLUMNS)]
        else:
            shown, captions = augmented_row(name, images, labels, num_classes)
        for c in range(COLUMNS):
            ax = axes[r, c]
            ax.imshow(shown[c].permute(1, 2, 0).clamp(0, 1).numpy())
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel(captions[c], fontsize=5)
        axes[r, 0].set_ylabel(name.replace("+", "+\n"), fontsize=6)
    fig.tight_layout()
    return fig


def gallery_images(images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Indices of four training images of different classes where there are four (the first
    image of each class in order), so the mixes' label weights are told apart."""
    chosen: list[int] = []
    for index, label in enumerate(labels):
        if label not in labels[chosen]:
            chosen.append(index)
        if len(chosen) == COLUMNS:
            break
    extra = [i for i in range(len(labels)) if i not in chosen]
    return np.array(chosen + extra[: COLUMNS - len(chosen)])


def write_gallery(prepared_dir: Path, names: list[str], tex: Path, figures_dir: Path) -> None:
    """The gallery of ``names`` on four images of a prepared dataset: a figure per page
    (layout.gallery_pages), as PDF and PNG in ``figures_dir``, and ``tex`` including them."""
    from proxy_attention.atomic import write_text
    from proxy_attention.data.prepared import open_prepared
    from proxy_attention.layout import gallery_pages, included_from
    from proxy_attention.report.latex import figure
    from proxy_attention.report.plotting import save_figure
    from proxy_attention.report.templates import AUGMENTATION_WORDS, phrase

    data = open_prepared(prepared_dir)
    labels = np.asarray(data.labels)
    chosen = gallery_images(data.images, labels)
    images, labels = np.asarray(data.images[chosen]), labels[chosen]
    pages = gallery_pages(names)
    parts = []
    for page, rows in enumerate(pages, start=1):
        fig = gallery_figure(rows, images, labels, data.num_classes)
        pdf = save_figure(fig, Path(figures_dir), f"augmentations-{page}")
        caption = phrase(
            AUGMENTATION_WORDS,
            "gallery_caption",
            dataset=Path(prepared_dir).name,
            page=page,
            pages=len(pages),
        )
        path = included_from(Path(figures_dir) / pdf, tex)
        parts.append(figure(path, caption, f"fig:gallery-{page}", str(prepared_dir)))
    write_text(tex, "\n".join(parts))
