"""Seaborn figures of the aggregated runs, saved as PDF (thesis) and PNG (people)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from proxy_attention.atomic import atomic_path, remove_leftovers  # noqa: E402


def save_figure(fig: plt.Figure, out_dir: Path, name: str) -> str:
    """Write ``name``.pdf and ``name``.png atomically; return the PDF's file name."""
    for suffix in (".pdf", ".png"):
        remove_leftovers(out_dir / f"{name}{suffix}")  # a killed earlier attempt's temporary
        with atomic_path(out_dir / f"{name}{suffix}") as tmp:
            fig.savefig(tmp, bbox_inches="tight", dpi=150, metadata=_stable_metadata(suffix))
    plt.close(fig)
    return f"{name}.pdf"


def _stable_metadata(suffix: str) -> dict[str, object]:
    # No creation date in the file, so an unchanged figure is byte-identical when rebuilt.
    return {"CreationDate": None} if suffix == ".pdf" else {}


def learning_curves(epochs: pd.DataFrame, out_dir: Path, name: str = "val_accuracy") -> str:
    """Validation accuracy per epoch, one line per variant, the band a 95% CI over seeds."""
    sns.set_theme(style="whitegrid", context="paper")
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    sns.lineplot(
        data=epochs,
        x="epoch",
        y="val_accuracy",
        hue="label",
        errorbar=("ci", 95),
        marker="o",
        ax=ax,
    )
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.legend(title="variant", fontsize="small", loc="lower right")
    return save_figure(fig, out_dir, name)


def seed_points(ax: plt.Axes, runs: pd.DataFrame, column: str, order: list[str]) -> None:
    """One row per variant: every seed as a dot, the mean with its 95% CI in black."""
    sns.pointplot(
        data=runs,
        y="label",
        x=column,
        order=order,
        errorbar=("ci", 95),
        linestyle="none",
        capsize=0.2,
        color="black",
        ax=ax,
    )
    sns.stripplot(data=runs, y="label", x=column, order=order, alpha=0.5, ax=ax)


def accuracy_by_variant(runs: pd.DataFrame, out_dir: Path, name: str = "test_accuracy") -> str:
    """Test accuracy per variant: every seed as a dot, the mean with its 95% CI."""
    sns.set_theme(style="whitegrid", context="paper")
    order = sorted(runs["label"].unique())
    fig, ax = plt.subplots(figsize=(6.0, 0.5 + 0.45 * len(order)))
    seed_points(ax, runs, "test_accuracy", order)
    ax.set_xlabel("test accuracy")
    ax.set_ylabel("")
    return save_figure(fig, out_dir, name)


def cost_versus_gain(pairs: pd.DataFrame, out_dir: Path, name: str = "cost_gain") -> str:
    """Accuracy gained over the control against extra wall time, one point per seed."""
    sns.set_theme(style="whitegrid", context="paper")
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    sns.scatterplot(data=pairs, x="extra_seconds", y="accuracy_gain", hue="label", s=50, ax=ax)
    ax.axhline(0.0, color="grey", linewidth=1)
    ax.set_xlabel("extra wall time over the control, s")
    ax.set_ylabel("test accuracy gain")
    ax.legend(title="variant", fontsize="small")
    return save_figure(fig, out_dir, name)


def gain_by(pairs: pd.DataFrame, hyperparameter: str, out_dir: Path) -> str:
    """Accuracy gained over the control against one proxy hyperparameter."""
    sns.set_theme(style="whitegrid", context="paper")
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    sns.pointplot(
        data=pairs,
        x=hyperparameter,
        y="accuracy_gain",
        hue="augmentation",
        errorbar=("ci", 95),
        dodge=0.3,
        capsize=0.1,
        ax=ax,
    )
    ax.axhline(0.0, color="grey", linewidth=1)
    ax.set_xlabel(hyperparameter.replace("_", " "))
    ax.set_ylabel("test accuracy gain")
    return save_figure(fig, out_dir, f"gain_by_{hyperparameter}")
