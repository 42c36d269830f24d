"""A run never returns or resumes a result made from other inputs (issue 13, broken 1 and 2)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml

from proxy_attention.atomic import read_json
from proxy_attention.data.split import make_split, save_split
from proxy_attention.faults import KILL_AT
from proxy_attention.grid import expand_grid
from proxy_attention.params import load_params
from proxy_attention.slices import train_settings, train_slice
from proxy_attention.stamps import STAMP, stamp_text
from proxy_attention.train.resume import KILL_AFTER_EPOCH, STATE, partial_dir
from proxy_attention.train.run import METRICS, train_run
from tests.integration.test_resume import toy_params_file, without_timing


def train_cli(params_file: Path, run_id: str, prepared: Path, split: Path, out: Path, **env):
    environment = {**os.environ, "OMP_NUM_THREADS": "1", **env}
    command = [sys.executable, "-m", "proxy_attention", "train", "--params", str(params_file)]
    command += ["--run", run_id, "--prepared", str(prepared), "--split", str(split)]
    command += ["--out", str(out), "--threads", "1"]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=environment)


def train(spec, params: dict, prepared: Path, split: Path, out: Path) -> dict:
    """train_run given what the CLI gives it: the train slice and the dataset's entry."""
    dataset = params["datasets"][spec.dataset]
    return train_run(spec, train_slice(params), prepared, split, out, 1, dataset)


def test_resume_after_a_new_split_restarts_on_the_new_split(toy_dataset, tmp_path):
    """Broken 1: killed, split changed, rerun: the old epochs (trained on what are now test
    images) must not be resumed."""
    prepared, split_path = toy_dataset
    params_file = toy_params_file([3], tmp_path)
    params = load_params(params_file)
    spec = expand_grid(params)[0]
    out = tmp_path / "run"
    killed = train_cli(
        params_file, spec.run_id, prepared, split_path, out, **{KILL_AFTER_EPOCH: "1"}
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert (partial_dir(out) / STATE).exists()

    save_split(split_path, make_split(np.arange(90) % 3, 0.2, 0.2, seed=7))
    fresh = train(spec, params, prepared, split_path, tmp_path / "fresh")
    rerun = train(spec, params, prepared, split_path, out)
    assert without_timing(rerun) == without_timing(fresh)


def test_finished_work_of_other_settings_is_not_returned(toy_dataset, tmp_path):
    """Broken 2: killed between metrics.json and the final rename, rerun with a new learning
    rate: the result must be the new settings', and stamped only by the run that made it."""
    prepared, split_path = toy_dataset
    params_file = toy_params_file([2], tmp_path)
    params = load_params(params_file)
    spec = expand_grid(params)[0]
    out = tmp_path / "run"
    # What a kill between metrics.json and the final rename leaves: a finished work directory.
    train(spec, params, prepared, split_path, tmp_path / "old")
    (tmp_path / "old").rename(partial_dir(out))

    raw = yaml.safe_load(params_file.read_text())
    raw["train"]["optimizer"]["lr"] = 0.003
    params_file.write_text(yaml.safe_dump(raw, sort_keys=False))
    params = load_params(params_file)
    fresh = train(spec, params, prepared, split_path, tmp_path / "fresh")
    rerun = train_cli(params_file, spec.run_id, prepared, split_path, out)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert without_timing(read_json(out / METRICS)) == without_timing(fresh)
    stamp = (out / STAMP).read_text().strip()
    assert stamp == stamp_text(train_settings(params), spec.run_id, "train")


def test_finished_work_of_the_same_inputs_is_moved_into_place(toy_dataset, tmp_path):
    """The other side: with nothing changed, the finished work is kept, not retrained."""
    prepared, split_path = toy_dataset
    params_file = toy_params_file([1], tmp_path)
    spec = expand_grid(load_params(params_file))[0]
    out = tmp_path / "run"
    killed = train_cli(
        params_file, spec.run_id, prepared, split_path, out, **{KILL_AT: "train:before-rename"}
    )
    assert killed.returncode == -signal.SIGKILL
    before = read_json(partial_dir(out) / METRICS)
    rerun = train_cli(params_file, spec.run_id, prepared, split_path, out)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert read_json(out / METRICS) == before  # identical, timing included: not retrained
