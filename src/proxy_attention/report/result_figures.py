"""Seaborn figures of the aggregated runs: accuracy per variant, gains over the controls,
learning curves, cost against gain; saved through plotting.save_figure.

Every interval drawn is the tables' Student-t interval at report.confidence (stats.t_errorbar),
and every accuracy is in percent (levels) or percentage points (differences), as in the tables.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from proxy_attention.report.plotting import WIDTH, plt, save_figure, sns, theme
from proxy_attention.report.stats import t_errorbar

PERCENT = (0.0, 100.0)  # accuracies in percent: their intervals are clipped to this, as in tables
# A control and its proxy variants share a colour (their augmentation); line style and
# marker tell them apart, so the figures stay readable in grey and for colour-blind readers.
CONTROL_DASH, PROXY_DASHES = "", [(4, 1.5), (1, 1), (5, 1, 1, 1), (2, 2)]
CONTROL_MARKER, PROXY_MARKERS = "o", ["s", "^", "D", "v", "P"]


def family(label: str) -> str:
    """The part of a decoded label before the proxy settings: prefix + augmentation."""
    return label.split(" + Proxy", 1)[0].split(" (control", 1)[0]


def variant_styles(labels: pd.Series, is_proxy: pd.Series) -> dict[str, dict[str, object]]:
    """Colour per family, dash and marker per variant within it, keyed by label."""
    frame = pd.DataFrame({"label": labels, "proxy": is_proxy.astype(bool)}).drop_duplicates("label")
    frame = frame.sort_values(["label"])
    families = sorted(frame["label"].map(family).unique())
    colours = dict(zip(families, sns.color_palette("colorblind", len(families)), strict=True))
    styles: dict[str, dict[str, object]] = {"palette": {}, "dashes": {}, "markers": {}}
    for fam in families:
        members = frame[frame["label"].map(family) == fam]
        proxies = iter(range(len(members)))
        for row in members.itertuples(index=False):
            styles["palette"][row.label] = colours[fam]
            if row.proxy:
                k = next(proxies)
                styles["dashes"][row.label] = PROXY_DASHES[k % len(PROXY_DASHES)]
                styles["markers"][row.label] = PROXY_MARKERS[k % len(PROXY_MARKERS)]
            else:
                styles["dashes"][row.label] = CONTROL_DASH
                styles["markers"][row.label] = CONTROL_MARKER
    return styles


def legend_below(ax: plt.Axes, title: str = "variant") -> None:
    # Below the axes, one entry per line: long decoded labels then never widen the figure.
    sns.move_legend(
        ax, "upper center", bbox_to_anchor=(0.5, -0.18), ncol=1, title=title, frameon=False
    )


def learning_curves(
    epochs: pd.DataFrame,
    confidence: float,
    proxy_epochs: list[int],
    out_dir: Path,
    name: str = "val_accuracy",
) -> str:
    """Validation accuracy (%) per epoch, one line per variant with its t-band over seeds;
    a dotted line after every epoch followed by a proxy step."""
    theme()
    data = epochs.assign(val_percent=100 * epochs["val_accuracy"])
    styles = variant_styles(data["label"], data["proxy"])
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4), layout="constrained")
    sns.lineplot(
        data=data,
        x="epoch",
        y="val_percent",
        hue="label",
        style="label",
        errorbar=t_errorbar(confidence, PERCENT),
        markers=styles["markers"],
        dashes=styles["dashes"],
        palette=styles["palette"],
        ax=ax,
    )
    for k, epoch in enumerate(sorted(set(proxy_epochs))):
        # The epoch's validation accuracy is measured before its proxy step runs.
        ax.axvline(
            epoch + 0.5,
            color="0.35",
            linestyle=":",
            linewidth=1.2,
            label="proxy step" if k == 0 else None,
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy, %")
    ax.legend()
    legend_below(ax)
    return save_figure(fig, out_dir, name)


def seed_points(
    ax: plt.Axes,
    data: pd.DataFrame,
    column: str,
    order: list[str],
    confidence: float = 0.95,
    palette: dict[str, object] | None = None,
    bounds: tuple[float, float] | None = None,
) -> None:
    """One row per variant: every seed as a dot, the mean with its t-interval in black."""
    sns.pointplot(
        data=data,
        y="label",
        x=column,
        order=order,
        errorbar=t_errorbar(confidence, bounds),
        linestyle="none",
        capsize=0.2,
        color="black",
        ax=ax,
    )
    colours = {"hue": "label", "palette": palette, "legend": False} if palette else {}
    sns.stripplot(data=data, y="label", x=column, order=order, alpha=0.6, ax=ax, **colours)


def accuracy_by_variant(
    runs: pd.DataFrame, confidence: float, out_dir: Path, name: str = "test_accuracy"
) -> str:
    """Test accuracy (%) per variant: every seed as a dot, the mean with its t-interval."""
    theme()
    order = sorted(runs["label"].unique())
    data = runs.assign(test_percent=100 * runs["test_accuracy"])
    palette = variant_styles(data["label"], data["proxy"])["palette"]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.6 + 0.4 * len(order)), layout="constrained")
    seed_points(ax, data, "test_percent", order, confidence, palette, PERCENT)
    ax.set_xlabel("test accuracy, %")
    ax.set_ylabel("")
    return save_figure(fig, out_dir, name)


def gain_per_variant(
    pairs: pd.DataFrame, confidence: float, out_dir: Path, name: str = "gain_variant"
) -> str:
    """Per proxy variant, the paired difference to the control in points: seeds and t-interval."""
    theme()
    order = sorted(pairs["label"].unique())
    data = pairs.assign(gain_points=100 * pairs["accuracy_gain"])
    palette = variant_styles(data["label"], data["proxy"])["palette"]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.6 + 0.4 * len(order)), layout="constrained")
    ax.axvline(0.0, color="grey", linewidth=1)
    seed_points(ax, data, "gain_points", order, confidence, palette)
    ax.set_xlabel("test accuracy minus the control's, percentage points")
    ax.set_ylabel("")
    return save_figure(fig, out_dir, name)


def cost_versus_gain(pairs: pd.DataFrame, out_dir: Path, name: str = "cost_gain") -> str:
    """Paired gain (points) against the proxy steps' share of training time, one dot per seed."""
    theme()
    data = pairs.assign(
        gain_points=100 * pairs["accuracy_gain"], share_percent=100 * pairs["proxy_share"]
    )
    styles = variant_styles(data["label"], data["proxy"])
    fig, ax = plt.subplots(figsize=(WIDTH, 3.2), layout="constrained")
    sns.scatterplot(
        data=data,
        x="share_percent",
        y="gain_points",
        hue="label",
        style="label",
        palette=styles["palette"],
        markers=styles["markers"],
        s=50,
        ax=ax,
    )
    ax.axhline(0.0, color="grey", linewidth=1)
    ax.set_xlabel("time of the proxy steps, % of the run's training time")
    ax.set_ylabel("gain over the control, points")
    legend_below(ax)
    return save_figure(fig, out_dir, name)


def gain_by(summary: pd.DataFrame, hyperparameter: str, out_dir: Path) -> str:
    """Each variant's mean paired difference (points) against one proxy hyperparameter."""
    theme()
    data = summary.assign(gain_points=100 * summary["mean_diff"])
    data[hyperparameter] = data[hyperparameter].astype(str)
    fig, ax = plt.subplots(figsize=(WIDTH, 3.2), layout="constrained")
    sns.stripplot(
        data=data,
        x=hyperparameter,
        y="gain_points",
        hue="augmentation",
        dodge=True,
        alpha=0.7,
        ax=ax,
    )
    ax.axhline(0.0, color="grey", linewidth=1)
    ax.set_xlabel(hyperparameter.replace("_", " "))
    ax.set_ylabel("mean gain over the control, points")
    return save_figure(fig, out_dir, f"gain_by_{hyperparameter}")
