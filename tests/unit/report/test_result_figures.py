"""The figures draw the tables' Student-t interval in the tables' units, readable at print size."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from proxy_attention.report import result_figures
from proxy_attention.report.build import add_labels
from proxy_attention.report.comparison import paired_runs, paired_summary
from proxy_attention.report.stats import mean_ci
from tests.helpers.result_tables import pair_rows, table

SEEDS = [0.81, 0.85, 0.84]  # the example: a bootstrap shows ~[81, 85], Student t wider
PRINT_WIDTH_IN = 6.3  # \linewidth of the thesis (A4, 2.5 cm margins)


def capture(monkeypatch):
    """Keep the figure save_figure would close, to read its artists back."""
    drawn = []
    monkeypatch.setattr(
        result_figures, "save_figure", lambda fig, out, name: drawn.append(fig) or name
    )
    return drawn


def interval_lines(ax) -> list[np.ndarray]:
    """The (low, high) of every horizontal segment drawn: seaborn draws an errorbar and its caps
    as one line whose segments are separated by NaN."""
    found = []
    for line in ax.lines:
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        breaks = np.flatnonzero(np.isnan(x))
        for xs, ys in zip(np.split(x, breaks), np.split(y, breaks), strict=True):
            xs, ys = xs[~np.isnan(xs)], ys[~np.isnan(ys)]
            if len(xs) == 2 and np.ptp(ys) == 0 and np.ptp(xs) > 0:
                found.append(np.sort(xs))
    return found


@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_accuracy_figure_draws_the_tables_interval_in_percent(monkeypatch, tmp_path, confidence):
    runs = add_labels(table(pair_rows(SEEDS, [0.0, 0.0, 0.0])))
    runs = runs[~runs["proxy"]]
    drawn = capture(monkeypatch)
    result_figures.accuracy_by_variant(runs, confidence, tmp_path)
    _, low, high = mean_ci(SEEDS, confidence)
    lines = interval_lines(drawn[0].axes[0])
    assert any(np.allclose(x, [100 * low, 100 * high]) for x in lines), lines
    assert 100 * low < 81.0 and 100 * high > 85.0  # wider than the seeds' range [81, 85]
    plt.close("all")


def test_accuracy_figure_clips_the_interval_as_the_table_does(monkeypatch, tmp_path):
    from proxy_attention.report.build import results_summary

    runs = add_labels(table(pair_rows([0.55, 0.98], [0.0, 0.0])))  # two seeds: t = 12.7
    runs = runs[~runs["proxy"]]
    row = results_summary(runs, 0.95).iloc[0]
    drawn = capture(monkeypatch)
    result_figures.accuracy_by_variant(runs, 0.95, tmp_path)
    lines = interval_lines(drawn[0].axes[0])
    assert row["ci_high"] == 1.0
    assert any(np.allclose(x, [100 * row["ci_low"], 100 * row["ci_high"]]) for x in lines), lines
    plt.close("all")


def test_gain_figure_draws_the_paired_tables_interval_in_points(monkeypatch, tmp_path):
    gains = [0.01, -0.02, 0.025]
    pairs = paired_runs(add_labels(table(pair_rows(SEEDS, gains))))
    row = paired_summary(pairs, 0.95).iloc[0]
    drawn = capture(monkeypatch)
    result_figures.gain_per_variant(pairs, 0.95, tmp_path)
    lines = interval_lines(drawn[0].axes[0])
    assert any(np.allclose(x, [100 * row["ci_low"], 100 * row["ci_high"]]) for x in lines)
    plt.close("all")


def test_learning_curves_band_marks_and_styles(monkeypatch, tmp_path):
    runs = add_labels(table(pair_rows(SEEDS, [0.01, 0.02, 0.03], augmentation="cutmix")))
    epochs = pd.DataFrame(
        [
            {"run_id": r.run_id, "epoch": e, "val_accuracy": r.final_val_accuracy - 0.1 / e}
            for r in runs.itertuples()
            for e in range(1, 7)
        ]
    ).merge(runs[["run_id", "label", "proxy"]], on="run_id")
    drawn = capture(monkeypatch)
    result_figures.learning_curves(epochs, 0.95, [4], tmp_path)
    fig = drawn[0]
    ax = fig.axes[0]
    # The proxy step after epoch 4 is a dotted vertical line between epochs 4 and 5.
    marks = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert [tuple(m.get_xdata()) for m in marks] == [(4.5, 4.5)]
    # Control and proxy share a colour-blind-safe colour and differ in line style.
    styled = {
        line.get_label(): line
        for line in ax.get_legend().get_lines()
        if line.get_label() != "proxy step"
    }
    control = styled["CutMix (control, 6 epochs)"]
    proxy = styled["CutMix + Proxy (GradCAM++, τ 0.6, λ 0.8, ρ 0.5, 3-p-2)"]
    assert control.get_color() == proxy.get_color()
    assert control.get_linestyle() != proxy.get_linestyle()
    # The band at epoch 6 is the t-interval of the three control seeds, in percent.
    _, low, high = mean_ci([100 * (v - 0.1 / 6) for v in [c - 0.01 for c in SEEDS]], 0.95)
    at_six = [
        np.unique(np.round(v[v[:, 0] == 6, 1], 9))
        for v in (c.get_paths()[0].vertices for c in ax.collections)
    ]
    assert any(np.allclose(ys, [low, high]) for ys in at_six if len(ys) == 2), at_six
    plt.close("all")


def test_tick_labels_print_at_seven_points_or_more(monkeypatch, tmp_path):
    runs = add_labels(table(pair_rows(SEEDS, [0.01, 0.02, 0.03], augmentation="cutmix")))
    pairs = paired_runs(runs)
    epochs = runs[["run_id", "label", "proxy", "final_val_accuracy"]].merge(
        pd.DataFrame({"epoch": range(1, 7)}), how="cross"
    )
    epochs["val_accuracy"] = epochs["final_val_accuracy"]
    drawn = capture(monkeypatch)
    result_figures.accuracy_by_variant(runs, 0.95, tmp_path)
    result_figures.gain_per_variant(pairs, 0.95, tmp_path)
    result_figures.cost_versus_gain(pairs, tmp_path)
    result_figures.learning_curves(epochs, 0.95, [4], tmp_path)
    result_figures.gain_by(paired_summary(pairs, 0.95), "threshold", tmp_path)
    for fig in drawn:
        fig.canvas.draw()
        # LaTeX scales the saved (tight) figure to \linewidth when it is wider.
        scale = min(1.0, PRINT_WIDTH_IN / fig.get_tightbbox().width)
        for ax in fig.axes:
            ticks = [t for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
            assert ticks and min(t.get_fontsize() for t in ticks) * scale >= 7.0
    plt.close("all")
