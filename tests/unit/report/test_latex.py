"""report/latex.py: escaping, numbers in percent, and the table, figure and macro writers."""

import math

import pandas as pd
import pytest

from proxy_attention.report.latex import (
    booktabs_table,
    breakable,
    escape,
    figure,
    long_table,
    macro,
    mean_interval,
    percent,
    ragged,
)


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("a_b & 50% #1", r"a\_b \& 50\% \#1"),
        ("$x {y} ~ ^", r"\$x \{y\} \textasciitilde{} \textasciicircum{}"),
        ("C:\\data", r"C:\textbackslash{}data"),
        ("τ 0.6, λ 0.8, ρ 0.5", r"$\tau$ 0.6, $\lambda$ 0.8, $\rho$ 0.5"),
        ("−1.3 ≤ x ≥ 2", r"$-$1.3 $\leq$ x $\geq$ 2"),
        ("--cores", "-{}-cores"),
        ("a---b", "a-{}-{}-b"),
        (0.5, "0.5"),
    ],
)
def test_escape_writes_what_latex_prints_as_the_text(text, latex):
    assert escape(text) == latex


def test_breakable_allows_breaks_after_separators_and_escapes_them():
    assert breakable("a/b_c") == r"a/\allowbreak{}b\_\allowbreak{}c"
    assert breakable("grid.seeds", ".") == r"grid.\allowbreak{}seeds"
    # A break point between two hyphens also keeps them from becoming an en dash.
    assert breakable("x--y") == r"x-\allowbreak{}-\allowbreak{}y"


def test_percent_and_intervals_in_percent_with_one_seed_showing_the_mean_only():
    assert percent(0.87654) == "87.7" and percent(0.87654, 2) == "87.65"
    assert percent(math.nan) == "--" and percent(None) == "--"
    assert mean_interval(0.82, 0.7703, 0.8697) == "82.0 [77.0, 87.0]"
    assert mean_interval(0.82, math.nan, math.nan) == "82.0"


def test_macro_and_ragged_column():
    assert macro("NumRuns", 18) == r"\newcommand{\NumRuns}{18}"
    assert ragged(0.3) == r">{\raggedright\arraybackslash}p{0.3\linewidth}"


def test_booktabs_table_escapes_headers_keeps_cells_and_names_its_source():
    frame = pd.DataFrame({"Test acc, %": [r"82.0 [$-$1]", "90.0"], "Run": ["a", "b"]})
    text = booktabs_table(frame, "Accuracy.", "tab:acc", "data/results/runs_1.csv")
    lines = text.splitlines()
    assert lines[0] == "% generated from data/results/runs_1.csv; do not edit"
    # \FitTable (thesis/fittable.sty): label, size, the tabular, then caption and label
    assert lines[1] == r"\FitTable{tab:acc}{\small}{%"
    assert r"\begin{tabular}{ll}" in lines
    assert r"Test acc, \% & Run \\" in lines
    assert r"82.0 [$-$1] & a \\" in lines and r"90.0 & b \\" in lines
    assert r"\caption{Accuracy. \emph{Source: data/results/runs\_1.csv.}}" in lines
    assert lines[-2:] == [r"\label{tab:acc}", "}"] and text.endswith("\n")


def test_long_table_breaks_across_pages_at_the_given_size():
    frame = pd.DataFrame({"Key": [r"\texttt{a}"], "Value": ["1"]})
    text = long_table(frame, "Keys.", "tab:keys", "schema.yaml", "lr", size=r"\scriptsize")
    lines = text.splitlines()
    assert lines[:3] == [
        "% generated from schema.yaml; do not edit",
        r"{\scriptsize",
        r"\begin{longtable}{lr}",
    ]
    assert r"\caption{Keys. \emph{Source: schema.yaml.}} \label{tab:keys} \\" in lines
    assert r"\caption[]{Keys. \emph{Source: schema.yaml.}} \\" in lines  # on later pages
    assert lines[-3:] == [r"\texttt{a} & 1 \\", r"\end{longtable}", "}"]


def test_figure_includes_the_file_with_caption_label_and_source():
    text = figure("generated/figures/a.pdf", "Gains.", "fig:a", "runs.csv", width=r"0.5\linewidth")
    assert text.splitlines() == [
        "% generated from runs.csv; do not edit",
        r"\begin{figure}[htbp]",
        r"\centering",
        r"\includegraphics[width=0.5\linewidth]{generated/figures/a.pdf}",
        r"\caption{Gains. \emph{Source: runs.csv.}}",
        r"\label{fig:a}",
        r"\end{figure}",
    ]
    assert text.endswith("\n")
