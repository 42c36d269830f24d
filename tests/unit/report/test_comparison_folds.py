"""The paired table over folds says which test its interval and p come from."""

from __future__ import annotations

from proxy_attention.report.build import add_labels
from proxy_attention.report.comparison import paired_runs, paired_summary, paired_table
from tests.helpers.result_tables import fold_pair_rows, pair_rows, table


def test_the_paired_table_over_folds_names_the_corrected_test():
    runs = add_labels(table(fold_pair_rows([0.8] * 5, [0.02, 0.04, 0.0, 0.03, 0.01])))
    tex = paired_table(paired_summary(paired_runs(runs), 0.95), 0.95, "runs.csv")
    assert "the unit is the (fold, seed) pair" in tex and "corrected resampled t-test" in tex
    # The variance's term as LaTeX: once a Python "\t" (a tab) printed "n extsubscripttest".
    assert "1/J + n\\textsubscript{test}/n\\textsubscript{train}." in tex and "\t" not in tex
    plain = add_labels(table(pair_rows([0.8, 0.82, 0.84], [0.01, 0.02, 0.0])))
    assert "fold" not in paired_table(paired_summary(paired_runs(plain), 0.95), 0.95, "x")
