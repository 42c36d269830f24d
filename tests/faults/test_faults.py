"""SIGKILL at each write boundary of every step, then rerun: the result must be the one an
uninterrupted run makes (byte for byte where the step is deterministic), never stale, and the
killed attempt must leave nothing that looks finished (issue 13).

The kill comes from the step itself (proxy_attention.faults: ``PROXY_ATTENTION_KILL_AT`` names
the boundary), in a forked copy of this process, so no case pays Python's and torch's import
time: the whole matrix runs in about a minute on 2 cores. The steps run through their CLI
entry point (`proxy-attention <step>`), as Snakemake runs them.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from proxy_attention.atomic import read_json
from proxy_attention.cli import main
from proxy_attention.data.sources import download as download_module
from proxy_attention.faults import KILL_AT
from proxy_attention.params import load_params
from proxy_attention.stamps import STAMP
from proxy_attention.train.resume import partial_dir
from tests.faults import conftest as faults_conftest
from tests.helpers import archives
from tests.helpers.server import MirrorServer
from tests.integration.test_resume import without_timing

ROOT = Path(__file__).resolve().parents[2]
FOOD = "food-101.tar.gz"
PREPARED_FILES = ["images.npy", "labels.npy", "official_split.npy", "meta.json", "report.json"]
REPORT_TEX = ["evaluation.tex", "appendix.tex", "macros.tex", "hyperparameters.tex"]


def cli(argv: list[str], kill_at: str | None = None) -> int:
    """Run ``proxy-attention argv`` in a forked child; its exit code (-9: it was killed)."""
    child = multiprocessing.get_context("fork").Process(target=_child, args=(argv, kill_at))
    child.start()
    child.join(timeout=300)
    assert child.exitcode is not None, f"{argv} hung"
    return child.exitcode


def _child(argv: list[str], kill_at: str | None) -> None:
    os.environ.pop(KILL_AT, None)
    if kill_at:
        os.environ[KILL_AT] = kill_at
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (the child exits right after)
    sys.exit(main(argv))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The reference: every step once, uninterrupted, on a miniature Food-101 served on
    127.0.0.1; the cases compare their rerun results with it."""
    root = tmp_path_factory.mktemp("faults")
    built = archives.food101(root, train=(20, 20, 20), test=(8, 8, 8))
    server = MirrorServer()
    server.files[FOOD] = built.archives[0].read_bytes()
    params = _params(server.url, built.checksums())
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)  # relative data/ paths and caches land in the project
        patch.setattr(download_module, "CHUNK", 512)  # several chunks: kills mid-transfer
        Path("params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
        runs = [spec.run_id for spec in _grid()]
        steps = [
            ["download", *_data("food"), "--out", "data/raw/food"]
            + ["--manifest", "data/raw/food/verified.json"],
            ["prepare", *_data("food"), "--raw", "data/raw/food", "--out", "data/prepared/food"],
            ["split", *_data("food"), "--prepared", "data/prepared/food"]
            + ["--out", "data/splits/food.npz"],
        ]
        for run_id in runs:
            steps.append(["train", *_run(run_id), "--out", f"data/runs/{run_id}"])
            steps.append(
                ["explain", *_run(run_id), "--checkpoint", f"data/runs/{run_id}/checkpoint.pt"]
                + ["--out", f"data/explain/{run_id}/metrics.json"]
            )
        steps.append(AGGREGATE + ["--out", "data/results"])
        steps.append(REPORT + ["--out", "generated"])
        for argv in steps:
            assert cli(argv) == 0, argv
        inputs = _digests(["data/raw", "data/prepared", "data/splits"])
        yield {"root": root, "runs": runs, "served": server.files[FOOD]}
        after = _digests(["data/raw", "data/prepared", "data/splits"])
        faults_conftest.DATA_LOST = sorted(
            name for name, digest in inputs.items() if after.get(name) != digest
        )
    server.close()
    assert faults_conftest.DATA_LOST == []


def _digests(folders: list[str]) -> dict[str, str]:
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted(Path(folder).rglob("*"))
        if path.is_file()
    }


def _params(mirror: str, checksums: dict[str, str]) -> dict:
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["datasets"] = {
        "food": {"source": "food101", "image_size": 16, "mirror": mirror, "checksums": checksums}
    }
    # every food image of a class is one solid colour: test images equal training images
    params["split"].update(val_fraction=0.2, test_fraction=0.2, keep_duplicates=True)
    params["train"].update(batch_size=16, eval_batch_size=64, device="cpu")
    params["proxy"].update(batch_size=8, contact_sheet_images=4)
    params["grid"].update(
        datasets=["food"],
        models=["test_efficientnet"],
        augmentations=["basic"],
        schedules=[[1, "p", 1]],
        seeds=[0],
    )
    params["grid"]["proxy"].update(methods=["saliency"], thresholds=[0.3], subsets=[0.5])
    params["explain"].update(method="gradcam", max_images=8, steps=4, batch_size=8)
    return params


def _grid():
    from proxy_attention.grid import expand_grid

    return expand_grid(load_params("params.yaml"))


def _data(dataset: str) -> list[str]:
    return ["--params", "params.yaml", "--dataset", dataset]


def _run(run_id: str) -> list[str]:
    inputs = ["--prepared", "data/prepared/food", "--split", "data/splits/food.npz"]
    return ["--params", "params.yaml", "--run", run_id, *inputs, "--threads", "1"]


AGGREGATE = ["aggregate", "--params", "params.yaml", "--runs", "data/runs"]
AGGREGATE += ["--explain", "data/explain"]
REPORT = ["report", "--params", "params.yaml", "--results", "data/results"]


def _kill_then_rerun(argv: list[str], boundary: str) -> None:
    assert cli(argv, boundary) == -signal.SIGKILL, f"{boundary} was never reached"
    assert cli(argv) == 0, f"the rerun after a kill at {boundary} failed"


def _same_bytes(ours: Path, reference: Path, names: list[str]) -> None:
    for name in names:
        assert (ours / name).read_bytes() == (reference / name).read_bytes(), name


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


DOWNLOAD = ["download:chunk#2", "write:food-101.tar.gz.verified.json", "write:v.json"]


@pytest.mark.parametrize("boundary", DOWNLOAD)
def test_download(project, boundary, record, tmp_path):
    raw = tmp_path / "raw"
    argv = ["download", *_data("food"), "--out", str(raw), "--manifest", str(raw / "v.json")]
    _kill_then_rerun(argv, boundary)
    assert (raw / FOOD).read_bytes() == project["served"]
    assert (raw / "v.json").read_bytes() == Path("data/raw/food/verified.json").read_bytes()
    assert sorted(p.name for p in raw.iterdir()) == [FOOD, f"{FOOD}.verified.json", "v.json"]
    record("download", boundary, "identical (resumed)" if "chunk" in boundary else "identical")


PREPARE = ["dir:food-101", "write:meta.json", "write:report.json", "dir:food"]


@pytest.mark.parametrize("boundary", PREPARE)
def test_prepare(project, boundary, record, tmp_path):
    out = tmp_path / "prepared" / "food"
    argv = ["prepare", *_data("food"), "--raw", "data/raw/food", "--out", str(out)]
    assert cli(argv, boundary) == -signal.SIGKILL
    assert not out.exists()  # nothing that looks finished
    assert _hidden(out.parent)  # what the kill left ...
    assert cli(argv) == 0
    _same_bytes(out, Path("data/prepared/food"), PREPARED_FILES)
    assert _hidden(out.parent) == []  # ... the rerun removed
    record("prepare", boundary, "identical, leftovers removed")


@pytest.mark.parametrize("boundary", ["write:food.npz", "write:food.duplicates.json"])
def test_split(project, boundary, record, tmp_path):
    argv = ["split", *_data("food"), "--prepared", "data/prepared/food"]
    _kill_then_rerun([*argv, "--out", str(tmp_path / "food.npz")], boundary)
    _same_bytes(tmp_path, Path("data/splits"), ["food.npz", "food.duplicates.json"])
    assert _hidden(tmp_path) == []
    record("split", boundary, "identical")


TRAIN = [
    "train:batch#2",  # in the middle of the first epoch
    "write:resume.pt#2",  # the second epoch's state written, not yet renamed
    "write:record.json",  # inside the proxy step's folder
    "dir:step-01",  # the proxy step complete, not yet renamed
    "write:checkpoint.pt",
    "write:checkpoint.json",  # the checkpoint's sha256 and architecture, written after it
    "write:settings.sha256",
    "write:metrics.json",
    "train:before-rename",  # metrics written, the run folder not yet renamed into place
]


@pytest.mark.parametrize("boundary", TRAIN)
def test_train(project, boundary, record, tmp_path):
    run_id = next(run for run in project["runs"] if "proxy~off" not in run)
    out = tmp_path / "seed~0"
    argv = ["train", *_run(run_id), "--out", str(out)]
    assert cli(argv, boundary) == -signal.SIGKILL
    assert not (out / "metrics.json").exists()  # nothing that looks finished
    resumed = (partial_dir(out) / "resume.pt").exists() or (
        partial_dir(out) / "metrics.json"
    ).exists()
    assert cli(argv) == 0
    reference = Path("data/runs") / run_id
    assert without_timing(read_json(out / "metrics.json")) == without_timing(
        read_json(reference / "metrics.json")
    )
    ours = torch.load(out / "checkpoint.pt", weights_only=True)["model"]
    theirs = torch.load(reference / "checkpoint.pt", weights_only=True)["model"]
    assert all(torch.equal(ours[key], theirs[key]) for key in theirs)
    _same_bytes(out, reference, [STAMP, "inputs.json"])
    assert read_json(out / "checkpoint.json")["arch"] == "test_efficientnet"
    assert (
        read_json(out / "checkpoint.json")["sha256"]
        == hashlib.sha256((out / "checkpoint.pt").read_bytes()).hexdigest()
    )
    for name in ("indices.npy", "images.npy", "maps.npy"):
        np.testing.assert_array_equal(
            np.load(out / "proxy" / "step-01" / name),
            np.load(reference / "proxy" / "step-01" / name),
        )
    assert not partial_dir(out).exists() and _hidden(tmp_path) == [] and _hidden(out) == []
    record("train", boundary, "identical (resumed)" if resumed else "identical (restarted)")


EXPLAIN = ["write:*.npy#2", "write:metrics.json"]


@pytest.mark.parametrize("boundary", EXPLAIN)
def test_explain(project, boundary, record, tmp_path):
    run_id = project["runs"][0]
    checkpoint = f"data/runs/{run_id}/checkpoint.pt"
    argv = ["explain", *_run(run_id), "--checkpoint", checkpoint]
    _kill_then_rerun([*argv, "--out", str(tmp_path / "metrics.json")], boundary)
    reference = Path("data/explain") / run_id
    assert without_timing(read_json(tmp_path / "metrics.json")) == without_timing(
        read_json(reference / "metrics.json")
    )
    arrays = sorted(p.name for p in reference.glob("*.npy"))
    _same_bytes(tmp_path, reference, arrays)
    _same_bytes(tmp_path, reference, [STAMP])
    assert _hidden(tmp_path) == []
    record("explain", boundary, "identical")


REPORTING = [
    (AGGREGATE, "write:runs.csv", ["runs.csv", "epochs.csv", "per_class.csv"], "data/results"),
    (REPORT, "write:macros.tex", REPORT_TEX, "generated"),
    (REPORT, "write:*.pdf", REPORT_TEX, "generated"),
]


@pytest.mark.parametrize(
    ("argv", "boundary", "files", "reference"), REPORTING, ids=["aggregate", "report", "figure"]
)
def test_report(project, argv, boundary, files, reference, record, tmp_path):
    _kill_then_rerun([*argv, "--out", str(tmp_path)], boundary)
    _same_bytes(tmp_path, Path(reference), files)
    if argv[0] == "aggregate":
        assert _hidden(tmp_path) == []
    record(argv[0], boundary, "identical")


NOTEBOOK = "notebooks/saliency_comparison.ipynb"


def _papermill(settings: dict, out_dir: Path, kill_at: str | None = None):
    """The notebook rule's command (workflow/rules/notebooks.smk), its figures in ``out_dir``."""
    env = {**os.environ, "JUPYTER_PATH": f"{sys.prefix}/share/jupyter", "OMP_NUM_THREADS": "1"}
    env.pop(KILL_AT, None)
    if kill_at:
        env[KILL_AT] = kill_at  # the kernel inherits it: the kill comes from inside the notebook
    injected = {**settings, "parameters": {**settings["parameters"], "out_dir": str(out_dir)}}
    out_dir.mkdir(parents=True, exist_ok=True)  # Snakemake makes output folders
    command = [sys.executable, "-m", "papermill", str(ROOT / NOTEBOOK), str(out_dir / "nb.ipynb")]
    command += ["-k", "python3", "--no-progress-bar", "-y", json.dumps(injected)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def test_notebook(project, record, tmp_path):
    from proxy_attention.report.notebook_figures import notebook_parameters

    params = load_params("params.yaml")
    proxy_run = params["figures"]["pairs"][0]
    settings = {
        "params_file": "params.yaml",
        "proxy_run": proxy_run,
        "parameters": notebook_parameters("saliency_comparison", params, proxy_run),
    }
    reference, out = tmp_path / "reference", tmp_path / "killed"
    done = _papermill(settings, reference)
    assert done.returncode == 0, done.stderr[-3000:]
    boundary = "write:saliency_comparison.png"
    killed = _papermill(settings, out, boundary)
    assert killed.returncode != 0 and "Kernel died" in killed.stderr + killed.stdout
    assert not (out / "saliency_comparison.png").exists()  # the job failed: Snakemake clears it
    rerun = _papermill(settings, out)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    _same_bytes(out, reference, ["saliency_comparison.pdf", "saliency_comparison.png"])
    assert _hidden(out) == []
    record("notebook", boundary, "identical")
