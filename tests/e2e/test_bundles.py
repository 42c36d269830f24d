"""Runs trained together in one job: a new value trains only the new runs."""

import re

import pandas as pd
import pytest
import yaml

from proxy_attention.atomic import read_json
from tests.e2e.conftest import make_project, run, tiny_params

pytestmark = pytest.mark.e2e
PROXY_BUNDLE = "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-tx-w0.8-f0.1-sp-1/seed~0"


def test_a_threshold_added_to_a_bundle_trains_only_its_new_run(tmp_path):
    params = tiny_params()
    params["grid"].update(augmentations=["basic"], train_together=["thresholds"])
    project = make_project(tmp_path / "project", params)
    run(["snakemake", "--cores", "2", "runs"], project)
    markers = project / "data" / "runs" / "_bundles"

    def finished_runs() -> dict[str, int]:
        return {
            str(path.parent.relative_to(project)): path.stat().st_mtime_ns
            for path in (project / "data" / "runs").rglob("metrics.json")
        }

    first = finished_runs()
    assert len(first) == 2 and len(list(markers.rglob("*.json"))) == 2

    params["grid"]["proxy"]["thresholds"] = [0.6, 0.3]
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    dry = run(["snakemake", "-n", "runs"], project).stdout
    assert re.search(r"^train_bundle\s+1$", dry, re.MULTILINE)  # the control's bundle is done
    run(["snakemake", "--cores", "2", "runs"], project)
    marker = read_json(markers / f"{PROXY_BUNDLE}.json")
    assert [(r["run_id"].split("/")[3], r["status"]) for r in marker["runs"]] == [
        ("proxy~gradcampp-t0.6-w0.8-f0.1-sp-1", "current"),
        ("proxy~gradcampp-t0.3-w0.8-f0.1-sp-1", "made"),
    ]
    after = finished_runs()
    assert len(after) == 3 and all(after[name] == mtime for name, mtime in first.items())

    run(["snakemake", "--cores", "2", "data/results/runs.csv"], project)
    runs = pd.read_csv(project / "data" / "results" / "runs.csv")
    assert len(runs) == 3 and runs["deletion_auc"].notna().all()
    assert "Nothing to be done" in run(["snakemake", "-n", "runs"], project).stdout
