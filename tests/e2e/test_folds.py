"""Stratified k-fold as a grid axis, through Snakemake to the PDF: 5 folds of a control and a
proxy run on digits at 32 px, paired by (fold, seed), compared with the corrected resampled
t-test that overlapping folds need (report/stats.py), and named as such in the findings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from proxy_attention import layout
from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.split import load_split, make_split
from tests.e2e.conftest import make_project, run, tiny_params
from tests.e2e.test_pipeline import pdf_text

pytestmark = pytest.mark.e2e

FOLDS = 5


def _params() -> dict:
    params = tiny_params()
    params["datasets"]["digits"]["image_size"] = 32
    params["split"]["folds"] = FOLDS
    params["grid"].update(schedules=[[1, "p", 1]], seeds=[0], augmentations=["basic"])
    # one training and one explain job per variant: the five folds share a process
    params["grid"]["train_together"] = ["folds"]
    params["explain"].update(max_images=8, steps=4)
    params["figures"].update(comparison={"images": 2}, gallery={"images": 1}, steps={"images": 2})
    return params


def test_five_folds_of_control_and_proxy_run_to_the_pdf(tmp_path):
    project = make_project(tmp_path / "project", _params())
    run(["snakemake", "--cores", "2"], project, timeout=1200)

    runs = pd.read_csv(project / "data" / "results" / "runs.csv")
    assert len(runs) == 2 * FOLDS
    for _, group in runs.groupby("proxy"):
        assert sorted(group["fold"]) == list(range(FOLDS))
    assert runs["run_id"].str.contains(r"/fold~[0-4]/seed~0$").all()
    # one control variant and one proxy variant: the fold is not part of the variant
    assert runs["variant"].nunique() == 2
    proxy = runs[runs["proxy"]]
    assert (
        proxy["control_id"]
        == proxy["run_id"].str.replace(r"proxy~[^/]+/", "proxy~off-e3/", regex=True)
    ).all()

    split = load_split(project / "data" / "splits" / "digits.npz")
    labels = open_prepared(project / "data" / "prepared" / "digits").labels
    # the test set of the one split (split.folds: 1) stays, and is in no fold
    assert np.array_equal(split.test, make_split(labels, 0.15, 0.2, 0).test)
    pool = np.sort(np.concatenate([split.train, split.val]))
    assert not np.isin(split.test, pool).any()
    assert sorted(np.unique(split.folds)) == list(range(FOLDS))
    assert (runs["val_size"].sum() // 2) == len(pool)  # each pool image validates once per pair
    assert (runs["train_size"] + runs["val_size"] == len(pool)).all()

    for variant in runs["variant"].unique():  # each variant's folds trained in one job
        assert (project / layout.marker("train", f"{variant}/fold~x/seed~0")).is_file()

    macros = (project / "thesis" / "generated" / "macros.tex").read_text()
    evaluation = next(line for line in macros.splitlines() if "FindingsEvaluation" in line)
    print(evaluation)  # the findings of this build, for the record
    assert "5 folds" in evaluation and "corrected resampled t-test" in evaluation
    assert "(fold, seed) pairs" in evaluation
    text = " ".join(pdf_text(project / "thesis" / "build" / "thesis.pdf").split())
    assert "5 folds × 1 seed" in text
    assert "Nadeau and Bengio" in text and "corrected resampled t-test" in text
