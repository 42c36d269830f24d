"""The pipeline through the SLURM profile, on a one-node cluster the test starts, to the PDF."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.cluster.slurm import install_packages, one_node_cluster
from tests.e2e.conftest import ROOT, make_project, run, tiny_params

pytestmark = [
    pytest.mark.slurm,
    pytest.mark.skipif(
        os.geteuid() != 0,
        reason="needs root: installs slurm-wlm and munge with apt-get and starts munged, "
        "slurmctld and slurmd by hand",
    ),
]
PROFILE = ROOT / "workflow" / "profiles" / "slurm" / "config.yaml"
SLURM_SECONDS = 420  # hard limits: a hanging status check must fail the test, not stall CI
LOCAL_SECONDS = 300


def cluster_params() -> dict:
    """The e2e tiny project, smaller still: 30 digits per class and one augmentation."""
    params = tiny_params()
    params["datasets"]["digits"]["max_per_class"] = 30
    params["grid"]["augmentations"] = ["basic"]
    return params


def profile_for(node: dict, folder: Path) -> Path:
    """The shipped profile, shrunk to what the test node has (no GPU, its CPUs and memory)."""
    profile = yaml.safe_load(PROFILE.read_text())
    for resources in profile["set-resources"].values():
        resources.pop("gpu", None)
        if "mem_mb" in resources:
            resources["mem_mb"] = min(resources["mem_mb"], node["mem_mb"] // 2)
    # One thread per job, as in the local run it is compared with: CPU results depend on it.
    profile["set-threads"] = {rule: 1 for rule in profile["set-threads"]}
    profile["cores"] = node["cpus"]
    profile["resources"] = [f"mem_mb={node['mem_mb'] // 2}"]
    # Check early: the plugin's default first check after 40 s would add minutes here.
    profile["slurm-init-seconds-before-status-checks"] = 2
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(yaml.safe_dump(profile, sort_keys=False))
    return folder


def results(project: Path) -> pd.DataFrame:
    table = pd.read_csv(project / "data" / "results" / "runs.csv")
    return table.set_index("run_id")[["test_accuracy", "test_loss", "epochs"]].sort_index()


def test_pipeline_on_slurm_builds_the_thesis_like_a_local_run(tmp_path):
    install_packages()
    params = cluster_params()
    on_slurm = make_project(tmp_path / "slurm", params)
    local = make_project(tmp_path / "local", params)
    partition = yaml.safe_load(PROFILE.read_text())["default-resources"]["slurm_partition"]
    started = time.monotonic()
    with one_node_cluster(tmp_path / "cluster", partition) as node:
        profile = profile_for(node, tmp_path / "profile")
        try:
            done = run(["snakemake", "--profile", str(profile)], on_slurm, timeout=SLURM_SECONDS)
        except Exception as exc:
            raise AssertionError(f"{exc}\n{_logs(on_slurm, tmp_path / 'cluster')}") from None
    print(f"SLURM pipeline: {time.monotonic() - started:.0f} s")
    assert (on_slurm / "thesis" / "build" / "thesis.pdf").stat().st_size > 10_000
    log = done.stdout + done.stderr
    # The profile's groups: one data job, one job per run (train + explain), one report job.
    assert set(re.findall(r"Group job (\w+)", log)) == {"data", "run", "report"}
    assert len(re.findall(r"has been submitted with SLURM jobid \d+", log)) == 4

    run(
        [
            "snakemake",
            "data/results/runs.csv",  # the target first: --set-threads takes what follows
            "--profile",
            str(ROOT / "workflow" / "profiles" / "local"),
            "--set-threads",
            "train=1",
            "explain=1",
        ],
        local,
        timeout=LOCAL_SECONDS,
    )
    ours, theirs = results(on_slurm), results(local)
    assert len(ours) == 2
    pd.testing.assert_frame_equal(ours, theirs)


def _logs(project: Path, cluster: Path) -> str:
    """The SLURM job logs and daemon logs, for a failure message."""
    paths = sorted((project / ".snakemake" / "slurm_logs").rglob("*.log"))
    paths += [cluster / name for name in ("slurmctld.log", "slurmd.log")]
    return "\n".join(
        f"--- {p}\n{p.read_text(errors='replace')[-3000:]}" for p in paths if p.exists()
    )
