"""A 1,230-run sub-grid of the thesis grid, simulated with planted effects where the train and
explain rules put them and held complete by Snakemake, through the real aggregate, report and
thesis jobs: the effects are found and nothing else is called significant.

Five seeds, not the thesis' three: with three, a t-test over seeds has 2 degrees of freedom and
Holm's adjustment over a family of 11 tests needs t > 15, which a +1 point effect reaches only
with luck (benchmarks/simulate_thesis_grid.py reports what three seeds find on the full grid).
"""

import re

import pandas as pd
import pytest

from proxy_attention.report.summary_views import ALL_DATASETS, significant
from tests.helpers.simulated_pipeline import (
    REAL_RULES,
    false_positives,
    pdf_pages,
    planted_pairs,
    run_simulated_pipeline,
    thesis_params,
    views_with_truth,
)
from tests.helpers.simulated_runs import EFFECT_DATASET

pytestmark = pytest.mark.e2e
ALPHA = 0.05
SUB_GRID = dict(
    datasets=[EFFECT_DATASET, "cifar100", "imagenette"],
    models=["resnet18", "vit_base_patch16_224"],
    seeds=[0, 1, 2, 3, 4],
    proxy=dict(subsets=[0.8], clear_every_step=[True]),
)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    params = thesis_params(**SUB_GRID)
    folder = tmp_path_factory.mktemp("simulated")
    steps = run_simulated_pipeline(params, folder)
    runs, pairs = planted_pairs(folder, params)
    return folder, steps, runs, views_with_truth(folder, runs, pairs, 1 - ALPHA)


def test_every_run_is_aggregated_and_the_pdf_builds(simulated):
    folder, steps, runs, _ = simulated
    assert steps["runs"] == len(runs) == 3 * 2 * 5 * (1 + 2 * 4 * 5) == 1230
    epochs = pd.read_csv(folder / "data" / "results" / "epochs.csv")
    assert len(epochs) == 40 * len(runs)
    assert runs["deletion_auc"].notna().all()
    pdf = folder / "thesis" / "build" / "thesis.pdf"
    assert 20 < pdf_pages(pdf) < 80
    evaluation = (folder / "thesis" / "generated" / "evaluation.tex").read_text()
    for label in ("tab:results", "tab:chosen", "tab:main-effects", "fig:gain-heatmaps"):
        assert rf"\label{{{label}}}" in evaluation
    # 240 proxy variants: summaries, and a pointer where the chapters cite the paired table
    assert "240 proxy variants are too many" in evaluation and "fig:gain-variant" not in evaluation
    variants = pd.read_csv(folder / "data" / "results" / "variants.csv")
    assert len(variants) == 3 * 2 * 2 * 4 * 5
    appendix = (folder / "thesis" / "generated" / "appendix.tex").read_text()
    assert r"\begin{longtable}" in appendix and "data/results/runs.csv" in appendix


def test_snakemake_holds_the_simulated_runs_and_runs_only_the_rest(simulated):
    from proxy_attention.bundles import bundles
    from proxy_attention.params import validate_params

    steps = simulated[1]
    count = len(bundles(validate_params(thesis_params(**SUB_GRID))))
    assert steps["recorded"]["train_bundle"] == steps["recorded"]["explain_bundle"] == count
    # what `snakemake -n` left: nothing that trains, explains or needs the network
    planned = set(steps["plan"])
    assert planned <= REAL_RULES and {"aggregate", "report", "thesis"} <= planned
    assert {"aggregate/aggregate", "report/report", "thesis/thesis"} <= set(steps["jobs"])


def test_planted_main_effects_are_found(simulated):
    effects = simulated[3]["main effects"]
    found = effects[significant(effects, ALPHA)]
    on_effect_dataset = found[(found["scope"] == EFFECT_DATASET) & (found["factor"] == "threshold")]
    assert set(on_effect_dataset["level"]) == {"0.8", "0.85"}
    assert (on_effect_dataset["mean_diff"].between(0.008, 0.012)).all()
    weights = found[(found["scope"] == ALL_DATASETS) & (found["factor"] == "weight")]
    gains = weights.set_index("level")["mean_diff"]
    # -0.5 at 0.95; +1/3 point elsewhere: the effect dataset's high thresholds, pooled
    assert gains["0.95"] < 0 and (gains.drop("0.95") > 0).all()


def test_the_chosen_settings_are_the_planted_ones(simulated):
    chosen = simulated[3]["chosen"]
    on_effect_dataset = chosen[chosen["dataset"] == EFFECT_DATASET]
    assert len(on_effect_dataset) == 2 and (on_effect_dataset["threshold"] >= 0.8).all()
    assert (on_effect_dataset["weight"] != 0.95).all()


@pytest.mark.parametrize("view", ["main effects", "cells", "chosen", "variants"])
def test_nothing_without_a_planted_effect_is_significant(simulated, view):
    table = simulated[3][view]
    assert table["truth"].notna().all()
    assert false_positives(table, ALPHA).empty
    # and what is significant has the sign of its planted effect
    marked = table[significant(table, ALPHA)]
    assert (marked["mean_diff"] * marked["truth"] > 0).all()


def test_the_main_effects_table_marks_what_holm_finds(simulated):
    folder, effects = simulated[0], simulated[3]["main effects"]
    tex = (folder / "thesis" / "generated" / "evaluation.tex").read_text()
    table = tex[tex.index(r"\label{tab:main-effects}") :]
    assert len(re.findall(r"\\textbf\{[+-]", table)) == int(significant(effects, ALPHA).sum())
