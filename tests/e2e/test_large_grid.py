"""A grid past the main text's limit of 40 variants, trained for real, through Snakemake to the
PDF: what the report rule declares is what the report step writes, and the summary views
replace the per-variant ones."""

import re

import pandas as pd
import pytest

from proxy_attention.layout import RESULT_FIGURES
from proxy_attention.report.views import MAIN_TEXT_VARIANTS
from tests.e2e.conftest import make_project, run, tiny_params
from tests.e2e.test_pipeline import pdf_text
from tests.helpers.workflow import declared_outputs

pytestmark = pytest.mark.e2e

THRESHOLDS = [0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.95]
WEIGHTS = [0.2, 0.4, 0.6, 0.8, 0.9, 0.95]


def large_grid() -> dict:
    """digits at 16 px (60 images a class), one control and 7 x 6 proxy variants of schedule
    [p, 1], one seed (two would double the test's time); runs that differ in weight share a job
    (7 bundles of 6 runs, one of the control)."""
    params = tiny_params()
    params["datasets"]["digits"].update(image_size=16, max_per_class=60)  # 600 of 1,797
    params["grid"].update(augmentations=["basic"], seeds=[0], train_together=["weights"])
    params["grid"]["proxy"].update(thresholds=THRESHOLDS, weights=WEIGHTS)
    params["explain"].update(max_images=16, steps=4)
    params["figures"].update(comparison={"images": 2}, steps={"images": 2})
    params["figures"]["gallery"].update(images=1, thresholds=[0.5], weights=[0.8])
    return params


def test_a_grid_past_every_main_text_limit_builds_its_summaries_into_the_pdf(tmp_path):
    project = make_project(tmp_path / "project", large_grid())
    run(["snakemake", "--cores", "2"], project, timeout=1500)

    runs = pd.read_csv(project / "data" / "results" / "runs.csv")
    assert len(runs) == 1 + len(THRESHOLDS) * len(WEIGHTS)
    assert runs["variant"].nunique() == 43 > MAIN_TEXT_VARIANTS
    # every output the DAG declares exists, and the report rule's are exactly what it wrote
    outputs = declared_outputs(project)
    assert [path for path in outputs if not (project / path).exists()] == []
    written = {f"{RESULT_FIGURES}/{p.name}" for p in (project / RESULT_FIGURES).iterdir()}
    assert written == {path for path, rule in outputs.items() if rule == "report" and
                       path.startswith(RESULT_FIGURES)}  # fmt: skip
    assert {f"{RESULT_FIGURES}/{name}.pdf" for name in ("val_accuracy", "gain_heatmaps")} <= written

    evaluation = (project / "thesis" / "generated" / "evaluation.tex").read_text()
    for label in ("tab:chosen", "tab:main-effects", "fig:gain-heatmaps", "tab:paired"):
        assert rf"\label{{{label}}}" in evaluation
    assert "fig:test-accuracy" not in evaluation  # one row per variant would not fit
    text = re.sub(r"\s+", " ", pdf_text(project / "thesis" / "build" / "thesis.pdf"))
    assert "42 proxy variants are too many" in text
    for caption in (
        "chosen on validation",
        "Main effect of each proxy setting",
        "per threshold",
        "Every proxy variant against its control",
    ):
        assert caption in text, caption
