"""A sample-batch figure per prepared dataset, for the thesis' dataset sections."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from proxy_attention.atomic import read_json, write_text
from proxy_attention.data.prepared import open_prepared
from proxy_attention.layout import included_from
from proxy_attention.report.latex import booktabs_table, escape, figure
from proxy_attention.report.plotting import plt, save_figure


def sample_grid(prepared_dir: Path, count: int = 16, seed: int = 0) -> plt.Figure:
    """``count`` images drawn with a fixed seed, titled with their class names."""
    data = open_prepared(prepared_dir)
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(len(data), size=min(count, len(data)), replace=False))
    columns = 8
    rows = int(np.ceil(len(chosen) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.9, rows * 1.05))
    for ax, index in zip(
        np.atleast_1d(axes).ravel(), list(chosen) + [None] * columns, strict=False
    ):
        ax.axis("off")
        if index is not None:
            ax.imshow(data.images[index])
            ax.set_title(data.classes[data.labels[index]][:12], fontsize=6)
    return fig


def duplicates_table(files: list[Path]) -> str:
    """Per dataset and pair of splits, the images of the second split with a byte-identical
    (exact) or perceptually near twin in the first: the leak the thesis is about, counted."""
    rows = []
    for file in files:
        report = read_json(file)
        name = Path(file).name.split(".")[0]
        for pair, exact in report["exact"].items():
            rows.append([rf"\texttt{{{escape(name)}}}", pair, exact, report["near"][pair]])
    frame = pd.DataFrame(rows, columns=["dataset", "splits", "identical", "near-duplicates"])
    caption = (
        "Images of the second split that repeat an image of the first: byte-identical, or "
        "within four bits of its perceptual hash (a re-encoded or resized copy)."
    )
    note = ", ".join(str(f) for f in files)
    return booktabs_table(frame, caption, "tab:duplicates", note, column_format="llrr")


def write_sample_figures(
    prepared_dirs: list[Path], tex: Path, figures_dir: Path, duplicates: list[Path] = ()
) -> None:
    """``figures_dir``/<dataset>.{pdf,png} per prepared dataset, and ``tex`` including them
    (and the table of duplicates across splits from the split step's ``duplicates`` files)."""
    parts = [duplicates_table(list(duplicates))] if duplicates else []
    for prepared_dir in prepared_dirs:
        name = Path(prepared_dir).name
        data = open_prepared(prepared_dir)
        pdf = save_figure(sample_grid(prepared_dir), Path(figures_dir), name)
        caption = (
            f"Sixteen prepared images of \\texttt{{{escape(name)}}} "
            f"({len(data)} images, {data.num_classes} classes, "
            f"{data.image_size}$\\times${data.image_size} px)."
        )
        parts.append(
            figure(
                included_from(Path(figures_dir) / pdf, tex),
                caption,
                f"fig:samples-{name}",
                str(prepared_dir),
                width=r"0.9\linewidth",
            )
        )
    write_text(tex, "\n".join(parts))
