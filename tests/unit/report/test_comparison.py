"""report/comparison.py: proxy runs paired with their controls, the paired statistics per
variant and the LaTeX of the comparison, checked against numbers computed by hand."""

import math

import pytest

from proxy_attention.report.build import add_labels
from proxy_attention.report.comparison import (
    comparison_section,
    paired_runs,
    paired_summary,
    paired_table,
)
from proxy_attention.report.findings import IMPROVEMENT, NULL
from proxy_attention.report.views import report_views
from tests.helpers.result_tables import pair_rows, run_row, table

CONTROLS = [0.80, 0.82, 0.84]
BASIC_GAINS = [0.04, 0.06, 0.05]  # mean 0.05, sd 0.01
CUTMIX_GAINS = [0.010, -0.012, 0.003]  # mean 1/3000, sd 0.011240


def two_variants(**cutmix_extra):
    runs = table(
        pair_rows(CONTROLS, BASIC_GAINS, augmentation="basic"),
        pair_rows(CONTROLS, CUTMIX_GAINS, augmentation="cutmix"),
    )
    for column, value in cutmix_extra.items():
        runs.loc[runs["proxy"] & (runs["augmentation"] == "cutmix"), column] = value
    return add_labels(runs)


def t2_p_value(t: float) -> float:
    """Two-sided p of Student's t with 2 degrees of freedom: 1 - t / sqrt(2 + t^2)."""
    return 1.0 - abs(t) / math.sqrt(2.0 + t * t)


def test_each_proxy_run_stands_beside_its_control_of_the_same_seed():
    runs = two_variants()
    lone = run_row("digits", "m", "basic", 7, True, 0.9, 0.9)  # its control never ran
    pairs = paired_runs(add_labels(table(runs.to_dict("records"), [lone])))
    assert len(pairs) == 6 and 7 not in pairs["seed"].tolist()
    basic = pairs[pairs["augmentation"] == "basic"].sort_values("seed")
    assert basic["control_accuracy"].tolist() == pytest.approx(CONTROLS)
    assert basic["accuracy_gain"].tolist() == pytest.approx(BASIC_GAINS)
    # 6 s of proxy steps in 60 s of epochs: a share of the training time of 6 / 66.
    assert basic["proxy_share"].tolist() == pytest.approx([1 / 11] * 3)


def test_paired_summary_matches_the_t_test_done_by_hand():
    summary = paired_summary(paired_runs(two_variants()), 0.95).set_index("augmentation")
    basic, cutmix = summary.loc["basic"], summary.loc["cutmix"]
    half = 4.302653 * 0.01 / math.sqrt(3)  # t(0.975, 2 df) * sd / sqrt(n)
    assert basic["n"] == 3 and basic["mean_diff"] == pytest.approx(0.05)
    assert (basic["ci_low"], basic["ci_high"]) == pytest.approx((0.05 - half, 0.05 + half))
    t_basic = 0.05 / (0.01 / math.sqrt(3))  # sqrt(75)
    assert basic["t"] == pytest.approx(t_basic) and basic["p"] == pytest.approx(t2_p_value(t_basic))
    t_cutmix = (1 / 3000) / (math.sqrt(1.26333e-4) / math.sqrt(3))
    assert cutmix["p"] == pytest.approx(t2_p_value(t_cutmix), rel=1e-4)
    # Holm over the two comparisons: the smaller p doubled, the larger kept (it is larger).
    assert basic["p_holm"] == pytest.approx(2 * basic["p"])
    assert cutmix["p_holm"] == pytest.approx(cutmix["p"])
    assert (basic["verdict"], cutmix["verdict"]) == (IMPROVEMENT, NULL)
    assert basic["proxy_seconds"] == 6.0 and basic["proxy_images"] == 40


def test_paired_table_row_reads_the_gain_interval_p_values_and_cost():
    summary = paired_summary(paired_runs(two_variants()), 0.95)
    text = paired_table(summary, 0.95, "data/results/runs.csv")
    row = next(line for line in text.splitlines() if line.startswith("Basic + Proxy"))
    cells = [cell.strip() for cell in row.removesuffix(r"\\").split("&")]
    assert cells[0] == r"Basic + Proxy (GradCAM++, $\tau$ 0.6, $\lambda$ 0.8, $\rho$ 0.5, 3-p-2)"
    # +5.0 +- 2.48 points; p = 0.0131 and its Holm adjustment 0.0261; 6 s of 66 s is 9%.
    assert cells[1:6] == ["3", "+5.0 [+2.5, +7.5]", "0.013", "0.026", IMPROVEMENT]
    assert cells[7] == r"6.0 (9\%)"
    cutmix = next(line for line in text.splitlines() if line.startswith("CutMix + Proxy"))
    assert "& 0.0 [$-$2.8, +2.8] &" in cutmix  # a true minus, never a hyphen
    assert "Holm adjustment over all 2 comparisons" in text and r"\label{tab:paired}" in text


def test_a_figure_per_proxy_setting_only_where_the_variants_differ_in_it(tmp_path):
    runs = two_variants(threshold=0.9)
    pairs = paired_runs(runs)
    varied = report_views(runs).varied
    assert varied == ("threshold",)
    parts = comparison_section(
        pairs, paired_summary(pairs, 0.95), 0.95, tmp_path, "src.csv", varied
    )
    labels = [line for part in parts for line in part.splitlines() if line.startswith(r"\label")]
    assert labels == [
        r"\label{tab:paired}",
        r"\label{fig:gain-variant}",
        r"\label{fig:cost-gain}",
        r"\label{fig:gain-threshold}",
    ]
    included = [
        line.split("{")[1].rstrip("}")
        for part in parts
        for line in part.splitlines()
        if line.startswith(r"\includegraphics")
    ]
    assert all((tmp_path / path.removeprefix("generated/figures/")).is_file() for path in included)
