"""A training run killed with SIGKILL and started again ends with an uninterrupted run's numbers."""

from __future__ import annotations

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
from proxy_attention.data.split import load_split, make_folds, save_split
from proxy_attention.grid import expand_grid
from proxy_attention.params import load_params
from proxy_attention.slices import train_slice
from proxy_attention.train.resume import KILL_AFTER_EPOCH, STATE, partial_dir
from proxy_attention.train.run import CHECKPOINT, METRICS, run_inputs, train_run

PROXY = {
    "methods": ["saliency"],
    "thresholds": [0.3],
    "weights": [0.8],
    "subsets": [0.5],
    "clear_every_step": [False],
    "modes": ["blended"],
}


ROOT = Path(__file__).resolve().parents[2]


def toy_params_file(schedule: list, folder: Path, augmentation: str = "basic") -> Path:
    """The shipped params on the 16 px toy dataset with one test_efficientnet schedule."""
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    # The folder source is only a label here (the tests pass prepared data); its path must exist.
    params["datasets"] = {"toy": {"source": "folder", "path": str(folder), "image_size": 16}}
    params["train"].update(batch_size=16, eval_batch_size=64, hflip=0.5, rotation=10.0)
    params["proxy"].update(batch_size=8, contact_sheet_images=4)
    params["grid"].update(
        datasets=["toy"],
        models=["test_efficientnet"],
        augmentations=[augmentation],
        schedules=[schedule],
        seeds=[0],
        proxy=PROXY,
    )
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


def toy_entry(params: dict) -> dict:
    """The toy dataset's params entry, which the CLI's runs record in their inputs record."""
    return params["datasets"]["toy"]


def train_cli(params_file: Path, run_id: str, toy_dataset, out: Path, kill_after: int | None):
    prepared, split = toy_dataset
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop(KILL_AFTER_EPOCH, None)
    if kill_after is not None:
        env[KILL_AFTER_EPOCH] = str(kill_after)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "proxy_attention",
            "train",
            "--params",
            str(params_file),
            "--run",
            run_id,
            "--prepared",
            str(prepared),
            "--split",
            str(split),
            "--out",
            str(out),
            "--threads",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def without_timing(value):
    """Metrics without wall-clock fields, which differ between any two runs."""
    if isinstance(value, dict):
        return {
            k: without_timing(v)
            for k, v in value.items()
            if k != "timing" and not k.endswith("seconds")
        }
    if isinstance(value, list):
        return [without_timing(v) for v in value]
    return value


@pytest.mark.parametrize(
    ("schedule", "kill_after", "with_proxy", "augmentation"),
    [
        ([4], 2, False, "basic"),
        ([1, "p", "p", 1], 2, True, "basic"),
        # the two other data paths: kornia's erasing on the batch, a per-sample policy
        ([3], 1, False, "random_erasing"),
        ([3], 2, False, "trivialaugment"),
    ],
    ids=["plain", "proxy", "batch-erasing", "per-sample-policy"],
)
def test_killed_run_resumes_to_identical_metrics(
    toy_dataset, tmp_path, schedule, kill_after, with_proxy, augmentation
):
    params_file = toy_params_file(schedule, tmp_path, augmentation)
    params = load_params(params_file)
    spec = next(s for s in expand_grid(params) if (s.proxy is not None) == with_proxy)
    reference = train_run(
        spec, train_slice(params), *toy_dataset, tmp_path / "reference", 1, toy_entry(params)
    )

    out = tmp_path / "runs" / "seed~0"
    killed = train_cli(params_file, spec.run_id, toy_dataset, out, kill_after)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    work = partial_dir(out)
    assert not out.exists() and (work / STATE).exists() and not (work / METRICS).exists()
    if with_proxy:
        # The state counts one finished step. Leave what a kill during the next one leaves:
        # atomic_dir's temporary folder, and a renamed step whose epoch state was never saved.
        assert (work / "proxy" / "step-01" / "images.npy").exists()
        for name in (".step-02.x1y2z3", "step-02"):
            (work / "proxy" / name).mkdir()
            np.save(work / "proxy" / name / "images.npy", np.zeros((1, 16, 16, 3), np.uint8))
            np.save(work / "proxy" / name / "indices.npy", np.array([0]))

    resumed = train_cli(params_file, spec.run_id, toy_dataset, out, None)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert not work.exists() and not (out / STATE).exists()
    metrics = read_json(out / METRICS)
    assert (
        len(metrics["epochs"])
        == len(reference["epochs"])
        == sum(1 if e == "p" else e for e in schedule)
    )
    assert without_timing(metrics) == without_timing(reference)
    ours = torch.load(out / CHECKPOINT, weights_only=True)["model"]
    theirs = torch.load(tmp_path / "reference" / CHECKPOINT, weights_only=True)["model"]
    assert all(torch.equal(ours[k], theirs[k]) for k in theirs)
    if with_proxy:
        steps = sorted(p.name for p in (out / "proxy").iterdir())
        assert steps == ["step-01", "step-02"]
        for step in steps:
            for name in ("indices.npy", "images.npy", "maps.npy"):
                np.testing.assert_array_equal(
                    np.load(out / "proxy" / step / name),
                    np.load(tmp_path / "reference" / "proxy" / step / name),
                )


def test_state_of_other_settings_is_discarded(toy_dataset, tmp_path):
    """A saved state from different train settings is not resumed: the run starts afresh."""
    params_file = toy_params_file([3], tmp_path)
    params = load_params(params_file)
    spec = expand_grid(params)[0]
    out = tmp_path / "run"
    killed = train_cli(params_file, spec.run_id, toy_dataset, out, 1)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    params["train"]["optimizer"]["lr"] = 0.003
    fresh = train_run(
        spec, train_slice(params), *toy_dataset, tmp_path / "fresh", 1, toy_entry(params)
    )
    # The same dataset entry as the killed CLI run: only the learning rate differs.
    changed = train_run(spec, train_slice(params), *toy_dataset, out, 1, toy_entry(params))
    assert without_timing(changed) == without_timing(fresh)


def test_state_of_another_fold_is_never_resumed(toy_dataset, tmp_path):
    """Folds differ only in which images train and validate: a run of fold 1 started on the
    saved state of fold 0 (the same output folder) starts afresh and ends as fold 1 alone."""
    prepared, plain = toy_dataset
    split = tmp_path / "folds.npz"
    save_split(split, make_folds(load_split(plain), np.arange(90) % 3, 3, seed=0))
    params_file = toy_params_file([3], tmp_path)
    raw = yaml.safe_load(params_file.read_text())
    raw["split"]["folds"] = 3
    raw["grid"].update(folds=[0, 1], leak_check={})
    params_file.write_text(yaml.safe_dump(raw, sort_keys=False))
    params = load_params(params_file)
    first, second = expand_grid(params)
    assert (first.fold, second.fold) == (0, 1) and first.run_id != second.run_id
    out = tmp_path / "run"
    killed = train_cli(params_file, first.run_id, (prepared, split), out, 1)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert (partial_dir(out) / STATE).exists()
    entry = toy_entry(params)
    records = {run_inputs(s, train_slice(params), entry, prepared, split) for s in (first, second)}
    assert len(records) == 2  # the fold is part of what a saved state is valid for
    fresh = train_run(second, train_slice(params), prepared, split, tmp_path / "fresh", 1, entry)
    changed = train_run(second, train_slice(params), prepared, split, out, 1, entry)
    assert without_timing(changed) == without_timing(fresh)
    assert changed["dataset"]["val"] == 24 and changed["spec"]["fold"] == 1
