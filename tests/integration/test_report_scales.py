"""The same report code on the embedded default (full tables) and on a grid past the limits."""

import pandas as pd

from proxy_attention.grid import expand_grid
from proxy_attention.layout import EXPLAIN_ROOT, RUNS_ROOT
from proxy_attention.layout import METRICS as RESULT
from proxy_attention.report.aggregate import aggregate_to
from proxy_attention.report.build import write_report
from proxy_attention.report.simulate import simulate_grid
from proxy_attention.report.views import MAIN_TEXT_VARIANTS


def report(params, folder):
    simulate_grid(params, folder)
    ids = [spec.run_id for spec in expand_grid(params)]
    aggregate_to(
        [folder / RUNS_ROOT / i / RESULT for i in ids],
        [folder / EXPLAIN_ROOT / i / RESULT for i in ids],
        folder / "results",
    )
    params_file = folder / "params.yaml"
    params_file.write_text("report: {confidence: 0.95}\n")
    write_report(folder / "results", params, params_file, folder / "generated")
    return {
        name: (folder / "generated" / f"{name}.tex").read_text()
        for name in ("evaluation", "appendix", "explainability")
    }


def test_the_embedded_default_keeps_every_table(params, tmp_path):
    tex = report(params, tmp_path)
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
    tex = report(params, tmp_path)
    evaluation = tex["evaluation"]
    assert "fig:test-accuracy" not in evaluation and "fig:gain-variant" not in evaluation
    # the chapters' Table~\ref{tab:paired} finds a pointer, not 48 rows
    assert "48 proxy variants are too many" in evaluation
    results = evaluation[: evaluation.index(r"\label{tab:results}")]
    assert results.count(r"\\") == 1 + 2  # rows: the header, the control, the chosen variant
    assert r"\label{fig:gain-heatmaps}" in evaluation and r"\label{tab:main-effects}" in evaluation
    assert r"\begin{longtable}" in tex["appendix"]  # 48 variants break across pages
