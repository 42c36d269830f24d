"""report/build.py piece by piece: the results table's numbers, the appendix listings, the
macros and the parameter table's values, on small runs tables with hand-computed statistics."""

import math
from pathlib import Path

import pandas as pd
import pytest

from proxy_attention.report.build import (
    _value_used,
    add_labels,
    appendix,
    control_means,
    macros,
    results_summary,
    results_table,
)
from tests.helpers.result_tables import pair_rows, run_row, table

CONTROLS = [0.80, 0.82, 0.84]  # mean 0.82, sd 0.02
GAINS = [0.04, 0.06, 0.05]  # proxy: 0.84, 0.88, 0.89: mean 0.87, sd sqrt(7e-4)
T_975_2 = 4.302653  # Student's t, 97.5% quantile, 2 degrees of freedom


def runs_table():
    return add_labels(table(pair_rows(CONTROLS, GAINS)))


def test_results_summary_is_the_t_interval_over_seeds_of_each_variant():
    summary = results_summary(runs_table(), 0.95).set_index("label")
    control = summary.loc["Basic (control, 6 epochs)"]
    half = T_975_2 * 0.02 / math.sqrt(3)
    assert control["n"] == 3 and control["mean"] == pytest.approx(0.82)
    assert (control["ci_low"], control["ci_high"]) == pytest.approx((0.82 - half, 0.82 + half))
    assert control["mean_f1"] == pytest.approx(0.81)  # the helper's F1 is accuracy - 0.01
    proxy = summary.drop(index="Basic (control, 6 epochs)").iloc[0]
    proxy_half = T_975_2 * math.sqrt(7e-4) / math.sqrt(3)
    assert proxy["ci_high"] == pytest.approx(0.87 + proxy_half) and proxy["wall_seconds"] == 100


def test_results_table_rows_read_the_means_and_intervals_in_percent():
    summary = results_summary(runs_table(), 0.95)
    text = results_table(summary, 0.95, "data/results/runs.csv", paired=True)
    rows = [line for line in text.splitlines() if line.endswith(r"\\") and " & 3 & " in line]
    assert rows == [
        r"Basic (control, 6 epochs) & 3 & 82.0 [77.0, 87.0] & 81.0 [76.0, 86.0] & 100 \\",
        r"Basic + Proxy (GradCAM++, $\tau$ 0.6, $\lambda$ 0.8, $\rho$ 0.5, 3-p-2) & 3 & "
        r"87.0 [80.4, 93.6] & 86.0 [79.4, 92.6] & 100 \\",
    ]
    assert r"Test accuracy, \% [95\% CI]" in text and r"Table~\ref{tab:paired}" in text
    short = results_table(summary, 0.9, "runs.csv", paired=True, full=False)
    assert r"Table~\ref{tab:chosen}" in short and r"[90\% CI]" in short


def test_an_interval_that_would_pass_100_percent_is_clipped():
    runs = add_labels(table(pair_rows([0.90, 0.99, 0.96], [0.0, 0.0, 0.0])))
    control = control_means(runs, 0.95)
    # 0.95 + 4.30 * 0.0458 / sqrt(3) = 1.064: the table shows 100, not 106.4.
    assert control["ci_high"].tolist() == [1.0] and control["ci_low"].iloc[0] == pytest.approx(
        0.95 - T_975_2 * math.sqrt(0.0021) / math.sqrt(3)
    )


def test_control_means_leave_out_proxy_runs_and_resplit_runs():
    runs = add_labels(
        table(
            pair_rows(CONTROLS, GAINS),
            [run_row("digits", "m", "basic", s, False, 0.5, 0.99, resplit=True) for s in range(3)],
        )
    )
    means = control_means(runs, 0.95)
    assert means["label"].tolist() == ["Basic (control, 6 epochs)"]
    assert means["mean"].tolist() == pytest.approx([0.82])


def test_macros_count_runs_seeds_variants_and_escape_the_sentences():
    text = {
        "Abstract": "gain of 5% on data_set",
        "AnswerAccuracy": "τ 0.6",
        "ChosenByValidation": "x",
    }
    lines = macros(runs_table(), text, 0.9, None).splitlines()
    assert lines[0] == "% generated from data/results/runs.csv; do not edit"
    assert lines[1:8] == [
        r"\newcommand{\NumRuns}{6}",
        r"\newcommand{\NumSeeds}{3}",
        r"\newcommand{\NumVariants}{2}",
        r"\newcommand{\DatasetName}{digits}",
        r"\newcommand{\ConfidenceLevel}{90\%}",
        r"\newcommand{\TQuantile}{0.95}",
        r"\newcommand{\ErrorRate}{0.1}",
    ]
    assert lines[8:11] == [
        r"\newcommand{\FindingsAbstract}{gain of 5\% on data\_set}",
        r"\newcommand{\AnswerAccuracy}{$\tau$ 0.6}",
        r"\newcommand{\ChosenByValidation}{x}",
    ]
    assert lines[11] == r"\newcommand{\ThesisGridRuns}{(not counted)}"


def test_appendix_lists_every_run_and_the_per_class_means_over_seeds():
    runs = runs_table()
    control_precision = [0.8, 1.0, 0.7]  # class a_1 of the control, seeds 0, 1, 2: mean 83.3%
    per_class = pd.DataFrame(
        [
            {"run_id": run_id, "class": name, "precision": value, "recall": 0.7, "f1": 0.75}
            for run_id, proxy, seed in zip(runs["run_id"], runs["proxy"], runs["seed"], strict=True)
            for name, value in [("a_1", 0.9 if proxy else control_precision[seed]), ("b", 0.5)]
        ]
    )
    text = appendix(runs, per_class, Path("data/results"))
    tilde = r"\textasciitilde{}"
    control = rf"\texttt{{digits/m/aug{tilde}basic/proxy{tilde}off-e6/seed{tilde}0}}"
    assert f"{control} & 80.0 & 79.0 & 100 \\\\" in text.splitlines()
    assert r"Basic (control, 6 epochs) & a\_1 & 83.3 & 70.0 & 75.0 \\" in text.splitlines()
    assert r"\label{tab:all-runs}" in text and r"\label{tab:per-class}" in text


def test_the_value_used_is_every_distinct_value_of_a_key_as_yaml_writes_it():
    params = {
        "datasets": {"a": {"image_size": 112}, "b": {"image_size": 224}, "c": {"image_size": 112}},
        "train": {"pretrained": False, "batch_size": "auto"},
    }
    assert _value_used(params, "datasets.<name>.image_size") == "112, 224"
    assert _value_used(params, "train.pretrained") == "false"
    assert _value_used(params, "train.batch_size") == '"auto"'
    assert _value_used(params, "train.memory_budget_gb") == "unset"
