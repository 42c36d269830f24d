"""A sample-batch figure per prepared dataset, for the thesis' dataset sections."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from proxy_attention.atomic import write_text
from proxy_attention.data.prepared import open_prepared
from proxy_attention.layout import included_from
from proxy_attention.report.latex import escape, figure
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


def write_sample_figures(prepared_dirs: list[Path], tex: Path, figures_dir: Path) -> None:
    """``figures_dir``/<dataset>.{pdf,png} per prepared dataset, and ``tex`` including them."""
    parts = []
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
