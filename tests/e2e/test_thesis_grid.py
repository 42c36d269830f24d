"""The source thesis' grid is one switch away, and Snakemake plans all of it."""

import re

import pytest

from proxy_attention.bundles import bundles
from proxy_attention.grid import expand_grid
from proxy_attention.params import load_params
from tests.e2e.conftest import ROOT, make_project, run, tiny_params

pytestmark = pytest.mark.e2e
THESIS_CONFIG = "workflow/configs/thesis.yaml"


def test_thesis_grid_dry_run_lists_every_job(tmp_path):
    params = load_params(ROOT / THESIS_CONFIG)
    runs = expand_grid(params)
    # 6 datasets x 5 models x 3 seeds x (1 control + 2 proxy schedules x 4 x 5 x 3 x 2)
    assert len(runs) == 6 * 5 * 3 * (1 + 2 * 4 * 5 * 3 * 2)
    project = make_project(tmp_path / "project", tiny_params())
    dry = run(["snakemake", "-n", "--config", f"params={THESIS_CONFIG}"], project)
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", dry.stdout, re.MULTILINE))
    grouped = bundles(params)
    assert int(counts["train_bundle"]) == int(counts["explain_bundle"]) == len(grouped)
    assert int(counts["download"]) == int(counts["split"]) == 6
    # every bundle job is listed, and through them every run of the grid
    listed = set(re.findall(r"output: data/runs/_bundles/(\S+)\.json", dry.stdout))
    assert listed == set(grouped)
    assert sum(len(grouped[bundle_id]) for bundle_id in listed) == len(runs)
