"""The papermill notebooks and the explain step in the real DAG, on a tiny two-pair grid."""

import json
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image

from proxy_attention.grid import expand_grid
from proxy_attention.params import validate_params
from proxy_attention.report.notebook_figures import NOTEBOOKS, pair_slug
from tests.e2e.conftest import make_project, run, tiny_params

pytestmark = pytest.mark.e2e

TARGETS = [
    "data/results/runs.csv",
    "thesis/generated/explainability.tex",
    "thesis/generated/saliency_figures.tex",
]


def two_pair_params() -> dict:
    """The tiny grid (a proxy run and its control per augmentation) on 600 small digits, with
    both proxy runs drawn."""
    params = tiny_params()
    params["datasets"]["digits"]["max_per_class"] = 60
    params["grid"]["augmentations"] = ["basic", "cutmix"]
    params["explain"].update(max_images=16, steps=8)
    params["figures"]["pairs"] = [
        s.run_id for s in expand_grid(validate_params(params)) if s.proxy is not None
    ]
    return params


def jobs(dry_run_output: str) -> dict[str, int]:
    """The job-count table of `snakemake -n`, as {rule: count}."""
    table = dry_run_output.split("Job stats:", 1)[-1].split("Reasons:", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.MULTILINE)}


def test_notebooks_and_explain_metrics_end_to_end(tmp_path):
    params = two_pair_params()
    project = make_project(tmp_path / "project", params)
    pairs = params["figures"]["pairs"]
    assert len(pairs) == 2
    run(["snakemake", "--cores", "2", *TARGETS], project)

    figure_dirs = sorted(p.name for p in (project / "data" / "figures").iterdir())
    assert figure_dirs == sorted(pair_slug(pair) for pair in pairs)
    for pair in pairs:
        folder = project / "data" / "figures" / pair_slug(pair)
        for name in NOTEBOOKS:
            assert (folder / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
            with Image.open(folder / f"{name}.png") as png:
                assert min(png.size) > 100
            executed = nbformat.read(folder / f"{name}.ipynb", as_version=4)
            injected = [c for c in executed.cells if "injected-parameters" in c.metadata.tags]
            assert len(injected) == 1 and pair in injected[0].source
            outputs = [o for c in executed.cells for o in c.get("outputs", [])]
            printed = "".join(o.get("text", "") for o in outputs)
            # The kernel runs in the environment Snakemake runs under, not some other Python.
            kernel = re.search(r"kernel interpreter: (\S+)", printed)
            assert kernel and Path(kernel[1]).parent == Path(sys.executable).parent
            assert any("image/png" in o.get("data", {}) for o in outputs)  # the figure is shown
    tex = (project / "thesis" / "generated" / "saliency_figures.tex").read_text()
    assert tex.count(r"\includegraphics") == 2 * len(NOTEBOOKS)

    runs = pd.read_csv(project / "data" / "results" / "runs.csv")
    assert len(runs) == 4
    assert set(runs["explain_method"]) == {"eigengradcam"}
    columns = ["deletion_auc", "insertion_auc", "average_drop", "increase_in_confidence"]
    assert runs[columns].notna().all().all()
    assert runs[columns].ge(0).all().all() and runs[columns].le(1).all().all()
    for row in runs.itertuples():
        folder = project / "data" / "explain" / row.run_id
        per_image = np.load(folder / "deletion_auc.npy")
        assert len(per_image) == row.explain_images == 16
        assert per_image.mean() == pytest.approx(row.deletion_auc, rel=1e-5)
        assert json.loads((folder / "metrics.json").read_text())["run_id"] == row.run_id
    assert r"\toprule" in (project / "thesis" / "generated" / "explainability.tex").read_text()

    dry = run(["snakemake", "-n", *TARGETS], project)
    assert "Nothing to be done" in dry.stdout + dry.stderr

    # A knob of one notebook reruns that notebook, for every pair, and nothing else upstream.
    params["figures"]["gallery"]["weights"] = [0.3]
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    dry = run(["snakemake", "-n", *TARGETS], project).stdout
    counts = jobs(dry)
    assert counts.get("notebook") == 2
    assert set(counts) & {"notebook", "train", "explain"} == {"notebook"}
    rerun = re.findall(r"wildcards: pair=\S+, notebook=(\w+)", dry)
    assert rerun == ["proxy_gallery", "proxy_gallery"]
