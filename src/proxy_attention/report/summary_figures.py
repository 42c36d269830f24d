"""Figures of the summary views: threshold x weight heatmaps, curves of controls and chosen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from proxy_attention.report.plotting import plt, save_figure, sns
from proxy_attention.report.stats import t_errorbar


def gain_heatmaps(cells: pd.DataFrame, alpha: float, out_dir: Path, name: str = "gain_heatmaps"):
    """One heatmap per dataset, model and augmentation: paired gain in points over threshold
    (rows) x weight (columns), one colour scale centred on zero, * where Holm's p < alpha."""
    panels = ["dataset", "model", "augmentation"]
    varying = [c for c in panels if cells[c].nunique() > 1] or ["dataset"]
    rows = sorted(cells[varying[0]].unique())
    cols = sorted(cells[varying[1]].unique()) if len(varying) > 1 else [None]
    extent = float(np.nanmax(np.abs(cells["mean_diff"]))) * 100 or 1.0
    sns.set_theme(style="white", context="paper", font_scale=0.7)
    fig, axes = plt.subplots(
        len(rows),
        len(cols),
        figsize=(1.55 * len(cols) + 0.8, 1.3 * len(rows) + 0.6),
        squeeze=False,
        sharex=True,
        sharey=True,
    )
    for r, row in enumerate(rows):
        for c, col in enumerate(cols):
            ax = axes[r][c]
            part = cells[cells[varying[0]] == row]
            if col is not None:
                part = part[part[varying[1]] == col]
            gain = part.pivot_table(index="threshold", columns="weight", values="mean_diff") * 100
            marks = part.assign(star=part["p_holm"].fillna(1.0) < alpha).pivot_table(
                index="threshold", columns="weight", values="star", aggfunc="max"
            )
            _heatmap(ax, gain, marks.astype(bool), extent)
            ax.set_title(" | ".join(str(v) for v in (row, col) if v is not None), fontsize=6)
            ax.set_xlabel("weight $\\lambda$" if r == len(rows) - 1 else "")
            ax.set_ylabel("threshold $\\tau$" if c == 0 else "")
    fig.tight_layout()
    return save_figure(fig, out_dir, name)


def _heatmap(ax: plt.Axes, gain: pd.DataFrame, marks: pd.DataFrame, extent: float) -> None:
    """One annotated panel. Not seaborn's heatmap: it draws the whole figure once per panel to
    check its tick labels, 30 draws of a growing figure for the thesis grid (two minutes)."""
    values = gain.to_numpy()
    ax.imshow(values, cmap="RdBu", vmin=-extent, vmax=extent, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        star = "*" if marks.to_numpy()[i, j] else ""
        dark = abs(value) > 0.6 * extent
        ax.text(j, i, f"{value:+.1f}{star}", ha="center", va="center", fontsize=5,
                color="white" if dark else "black")  # fmt: skip
    ax.set_xticks(range(values.shape[1]), [f"{w:g}" for w in gain.columns])
    ax.set_yticks(range(values.shape[0]), [f"{t:g}" for t in gain.index])
    ax.tick_params(length=0)


def chosen_curves(epochs: pd.DataFrame, confidence: float, out_dir: Path, name: str):
    """Validation accuracy per epoch of each control and its chosen proxy variant: one panel
    per dataset, colour the model, solid the control, dashed the chosen variant; the band is
    the Student-t interval over seeds."""
    datasets = sorted(epochs["dataset"].unique())
    columns = min(3, len(datasets))
    rows = int(np.ceil(len(datasets) / columns))
    sns.set_theme(style="whitegrid", context="paper", font_scale=0.8)
    fig, axes = plt.subplots(
        rows, columns, figsize=(2.3 * columns + 0.4, 2.0 * rows + 0.8), squeeze=False
    )
    for ax, dataset in zip(axes.flat, datasets, strict=False):
        sns.lineplot(
            data=epochs[epochs["dataset"] == dataset],
            x="epoch",
            y="val_accuracy",
            hue="model",
            style="role",
            style_order=["control", "chosen"],
            errorbar=t_errorbar(confidence),
            ax=ax,
            legend=ax is axes.flat[0],
        )
        ax.set_title(dataset)
        ax.set_ylabel("validation accuracy")
    for ax in list(axes.flat)[len(datasets) :]:
        ax.set_visible(False)
    if axes.flat[0].get_legend() is not None:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        axes.flat[0].get_legend().remove()
        fig.legend(handles, labels, loc="lower center", ncol=5, fontsize="small", frameon=False)
    fig.tight_layout(rect=(0, 0.12 if rows == 1 else 0.06, 1, 1))
    return save_figure(fig, out_dir, name)
