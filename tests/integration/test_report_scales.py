"""The same report code on the embedded default (full tables) and on a grid past the limits."""

import pandas as pd
import pytest

from proxy_attention.layout import RESULT_FIGURES, RESULT_FIGURES_FOLDER
from proxy_attention.report.views import (
    MAIN_TEXT_VARIANTS,
    figure_files,
    grid_runs,
    report_views,
)
from tests.helpers.simulated_runs import simulated_report


def test_the_embedded_default_keeps_every_table(params, tmp_path):
    tex = simulated_report(params, tmp_path)
    for label in ("tab:results", "tab:paired", "fig:cost-gain", "fig:test-accuracy", "tab:chosen"):
        assert rf"\label{{{label}}}" in tex["evaluation"]
    assert "fig:gain-heatmaps" not in tex["evaluation"]  # one threshold, one weight
    for label in ("tab:variants", "tab:all-runs", "tab:per-class"):
        assert rf"\label{{{label}}}" in tex["appendix"]
    assert r"\label{fig:explainability}" in tex["explainability"]
    variants = pd.read_csv(tmp_path / "results" / "variants.csv")
    assert len(variants) == 2 and set(variants["augmentation"]) == {"basic", "cutmix"}


def test_past_the_limit_the_main_text_shows_controls_and_chosen_variants(params, tmp_path):
    params["grid"].update(augmentations=["basic"], schedules=[[3, "p", 2], ["p", 5]])
    params["grid"]["proxy"].update(
        thresholds=[0.4, 0.6, 0.8, 0.9], weights=[0.2, 0.5, 0.8], subsets=[0.2, 0.5]
    )
    assert 1 + 2 * 4 * 3 * 2 == 49 > MAIN_TEXT_VARIANTS
    tex = simulated_report(params, tmp_path)
    evaluation = tex["evaluation"]
    assert "fig:test-accuracy" not in evaluation and "fig:gain-variant" not in evaluation
    # the chapters' Table~\ref{tab:paired} finds a pointer, not 48 rows
    assert "48 proxy variants are too many" in evaluation
    results = evaluation[: evaluation.index(r"\label{tab:results}")]
    assert results.count(r"\\") == 1 + 2  # rows: the header, the control, the chosen variant
    assert r"\label{fig:gain-heatmaps}" in evaluation and r"\label{tab:main-effects}" in evaluation
    assert r"\begin{longtable}" in tex["appendix"]  # 48 variants break across pages


# Grids on each side of every size limit (report/views.py): variants in the main text (40), in
# the faithfulness figure (30), per-variant rows in the appendix (300), and none paired at all.
GRIDS = {
    "controls only": {"schedules": [[2]]},
    "the embedded default": {},
    "33 variants": {"augmentations": ["basic"], "thresholds": [0.2, 0.4, 0.6, 0.8], "weights": [
        0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]},
    "49 variants": {"augmentations": ["basic"], "schedules": [[3, "p", 2], ["p", 5]],
                    "thresholds": [0.4, 0.6, 0.8, 0.9], "weights": [0.2, 0.5, 0.8],
                    "subsets": [0.2, 0.5]},
    "311 variants": {"augmentations": ["basic"], "seeds": [0, 1],
                     "thresholds": [round(0.05 + 0.09 * i, 2) for i in range(10)],
                     "weights": [round(0.02 + 0.03 * i, 2) for i in range(31)]},
}  # fmt: skip


@pytest.mark.parametrize("grid", GRIDS)
def test_the_report_draws_exactly_the_figures_its_rule_declares(params, tmp_path, grid):
    lists = dict(GRIDS[grid])
    params["grid"].update({k: lists.pop(k) for k in list(lists) if k in params["grid"]})
    params["grid"]["proxy"].update(lists)
    simulated_report(params, tmp_path)
    figures = tmp_path / "generated" / RESULT_FIGURES_FOLDER
    written = sorted(f"{RESULT_FIGURES}/{path.name}" for path in figures.iterdir())
    # what workflow/rules/common.smk declares as the report rule's figures
    declared = figure_files(report_views(grid_runs(params)).figures)
    assert written == sorted(declared)
    assert len(written) >= 4
