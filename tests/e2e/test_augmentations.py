"""Every augmentation of the registry, and one chain, with and without the proxy step, through
Snakemake to the PDF with the augmentation gallery and each one's cost: digits at 32 px, one
seed, schedule [1, p, 1]. A chain training cannot run stops `snakemake -n` in one line first."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

from proxy_attention import layout
from proxy_attention.augment import AUGMENTATIONS
from proxy_attention.bundles import bundles
from proxy_attention.params import validate_params
from tests.e2e.conftest import make_project, run, tiny_params
from tests.e2e.test_pipeline import pdf_text

pytestmark = pytest.mark.e2e

CHAIN = "randaugment+cutmix"
GRID = [*AUGMENTATIONS, CHAIN]


def _params() -> dict:
    """digits at 32 px, 20 images a class (200 of 1,797), small explain sets; the controls
    train in one job and the proxy runs in another (a job per run spends its time starting)."""
    params = tiny_params()
    params["datasets"]["digits"].update(image_size=32, max_per_class=20)
    params["grid"].update(augmentations=GRID, schedules=[[1, "p", 1]], seeds=[0])
    params["grid"]["train_together"] = ["augmentations"]
    params["explain"].update(max_images=8, steps=4)
    params["figures"].update(comparison={"images": 2}, gallery={"images": 1}, steps={"images": 2})
    return params


def test_a_bad_chain_stops_the_dry_run_in_one_line(tmp_path):
    params = _params()
    params["grid"]["augmentations"] = ["basic", "cutmix+mixup"]
    project = make_project(tmp_path / "project", params)
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    problem = [line for line in result.stderr.splitlines() if "cutmix+mixup" in line]
    assert len(problem) == 1
    assert "grid.augmentations[1] = 'cutmix+mixup' has 2 of kind batch mix" in problem[0]


def test_every_augmentation_and_a_chain_with_and_without_the_proxy_to_the_pdf(tmp_path):
    project = make_project(tmp_path / "project", _params())
    run(["snakemake", "--cores", "2"], project, timeout=1500)

    runs = pd.read_csv(project / "data" / "results" / "runs.csv")
    assert len(runs) == 2 * len(GRID)
    for augmentation, group in runs.groupby("augmentation"):
        assert sorted(group["proxy"]) == [False, True], augmentation
        proxy = group[group["proxy"]].iloc[0]
        assert proxy["control_id"] == group[~group["proxy"]]["run_id"].iloc[0]
    assert set(runs["augmentation"]) == set(GRID)
    assert runs["test_accuracy"].notna().all() and (runs["epochs"] == 3).all()
    for bundle_id in bundles(validate_params(_params())):  # two jobs trained them all
        assert "/aug~x/" in bundle_id and (project / layout.marker("train", bundle_id)).is_file()

    pages = layout.gallery_pages(GRID)
    for path in layout.gallery_figures(GRID):
        assert (project / path).stat().st_size > 0
    costs = (project / layout.AUGMENTATION_COSTS_TEX).read_text()
    for name in GRID:
        assert f"\\texttt{{{name.replace('_', chr(92) + '_')}}}" in costs
    text = re.sub(r"\s+", " ", pdf_text(project / "thesis" / "build" / "thesis.pdf"))
    assert f"same four training images of digits (page {len(pages)} of {len(pages)};" in text
    assert "as a ratio to basic" in text and "sample_pairing" in text
