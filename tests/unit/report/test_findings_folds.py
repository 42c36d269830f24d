"""Findings of a build with cross-validation folds: they name the folds, the (fold, seed) pairs
and the corrected resampled t-test, and choose on validation averaged over the folds."""

from __future__ import annotations

import pandas as pd
import pytest

from proxy_attention.report.build import add_labels, control_means, folds_reading_note
from proxy_attention.report.comparison import paired_runs, paired_summary
from proxy_attention.report.findings import (
    comparison_sentence,
    findings_paragraphs,
    folds_method_sentence,
    scope_sentence,
)
from proxy_attention.report.selection import choose_by_validation
from proxy_attention.report.stats import paired_difference
from tests.helpers.result_tables import fold_pair_rows, pair_rows, table

CONTROLS = [0.80, 0.82, 0.84, 0.81, 0.83]
GAINS = [0.02, 0.04, 0.00, 0.03, 0.01]


def _runs() -> pd.DataFrame:
    return add_labels(table(fold_pair_rows(CONTROLS, GAINS)))


def test_a_comparison_over_folds_uses_the_corrected_test_and_says_so():
    summary = paired_summary(paired_runs(_runs()), 0.95)
    row = summary.iloc[0]
    expected = paired_difference(GAINS, [0.0] * 5, 0.95, overlap=0.25)
    assert row["folds"] == 5 and row["n"] == 5
    assert row["ci_low"] == pytest.approx(expected["ci_low"])
    assert row["p"] == pytest.approx(expected["p"])
    sentence = comparison_sentence(row, 0.95)
    assert "(95% CI −0.9 to +4.9, raw p = 0.13" in sentence
    assert "5 (fold, seed) pairs over 5 folds, corrected resampled t-test" in sentence
    assert "these (fold, seed) pairs could detect" in sentence


def test_scope_and_method_name_the_folds_and_the_unit_of_analysis():
    runs = _runs()
    assert "10 runs (2 variants, 5 folds × 1 seed)" in scope_sentence(runs)
    method = folds_method_sentence(runs)
    assert method.startswith("The runs are 5 stratified cross-validation folds")
    assert "the unit of analysis is the (fold, seed) pair" in method
    assert "Nadeau and Bengio (2003)" in method and "s²(1/J + n_test/n_train)" in method


def test_findings_of_folds_carry_the_method_and_a_build_without_folds_does_not():
    runs = _runs()
    paired = paired_summary(paired_runs(runs), 0.95)
    chosen = choose_by_validation(runs, 0.95)
    text = findings_paragraphs(runs, paired, chosen, control_means(runs, 0.95), 0.95)
    assert "corrected resampled t-test of Nadeau and Bengio" in text["Evaluation"]
    assert "Chosen by mean validation accuracy over folds and seeds" in text["Evaluation"]
    assert "(mean over folds and seeds per variant)" in text["Evaluation"]
    assert "these (fold, seed) pairs could have detected" in text["Conclusion"]
    plain = add_labels(table(pair_rows([0.8, 0.82, 0.84], [0.01, 0.02, 0.0])))
    assert folds_method_sentence(plain) == "" == folds_reading_note(plain)
    assert "wherever their captions say seeds" in folds_reading_note(runs)
    assert "3 seeds)" in scope_sentence(plain)


def test_choosing_on_validation_averages_over_the_folds():
    runs = _runs()
    chosen = choose_by_validation(runs, 0.95).set_index("variant")
    proxy = runs[runs["proxy"]]
    assert chosen["val_mean"].iloc[0] == pytest.approx(proxy["final_val_accuracy"].mean())
    assert chosen["n"].iloc[0] == 5  # every fold's run, one variant
