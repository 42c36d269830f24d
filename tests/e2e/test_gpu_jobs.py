"""GPU jobs scheduled as GPUs, checked on the DAG (`snakemake -n`) without a GPU."""

import os
import re
import stat
import subprocess
import sys

import pytest
import yaml

from tests.e2e.conftest import run
from tests.helpers.workflow import workflow_value

pytestmark = pytest.mark.e2e

GPU_RULES = {"train", "explain", "notebook"}


def _gpu_by_rule(output: str) -> dict[str, set[str]]:
    """rule name -> the gpu values its jobs declare, from a dry run's job listing."""
    found: dict[str, set[str]] = {}
    for block in re.split(r"^rule ", output, flags=re.MULTILINE)[1:]:
        rule = block.split(":", 1)[0]
        gpu = re.search(r"resources: .*\bgpu=(\d+)", block)
        found.setdefault(rule, set()).add(gpu.group(1) if gpu else "none")
    return found


def _with_device(project, device: str) -> None:
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["train"]["device"] = device
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def test_cuda_jobs_declare_one_gpu_and_cpu_jobs_none(tiny_project):
    _with_device(tiny_project, "cuda")
    cuda = _gpu_by_rule(run(["snakemake", "-n"], tiny_project).stdout)
    assert all(cuda[rule] == {"1"} for rule in GPU_RULES)
    assert cuda["prepare"] == cuda["report"] == {"none"}
    _with_device(tiny_project, "cpu")
    cpu = _gpu_by_rule(run(["snakemake", "-n"], tiny_project).stdout)
    assert all(cpu[rule] == {"0"} for rule in GPU_RULES)


def _fake_smi(folder, gpus: int) -> dict[str, str]:
    """An nvidia-smi listing ``gpus`` T4s with a driver for CUDA 10.1; the env that finds it."""
    fake = folder / "bin" / "nvidia-smi"
    fake.parent.mkdir()
    listing = "\\n".join(f"GPU {i}: Tesla T4 (UUID: GPU-{i})" for i in range(gpus))
    fake.write_text(
        f'#!/bin/sh\nif [ "$1" = "-L" ]; then printf "{listing}\\n"; exit 0; fi\n'
        'echo "| NVIDIA-SMI 418.87   Driver Version: 418.87   CUDA Version: 10.1 |"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return {"PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}


def test_gpu_jobs_run_at_most_one_per_listed_gpu_unless_capped(tiny_project, tmp_path):
    _with_device(tiny_project, "cuda")
    env = _fake_smi(tmp_path, gpus=3)
    cap = "w.global_resources['gpu'].value"
    assert workflow_value(tiny_project, cap, env=env) == 3
    assert workflow_value(tiny_project, cap, resources={"gpu": 1}, env=env) == 1


def test_a_cuda_training_job_takes_its_gpus_share_of_the_cores(tiny_project, tmp_path):
    env = _fake_smi(tmp_path, gpus=4)
    threads = "[w.get_rule(r).resources['_cores'].value for r in ('train', 'train_bundle')]"
    _with_device(tiny_project, "cuda")
    assert workflow_value(tiny_project, threads, env=env, cores=16) == [4, 4]
    # Without --cores (a cluster executor): this node's cores, shared by its GPUs.
    assert workflow_value(tiny_project, threads, env=env) == [max(os.cpu_count() // 4, 1)] * 2
    _with_device(tiny_project, "cpu")  # parallel one-thread jobs
    assert workflow_value(tiny_project, threads, env=env, cores=16) == [1, 1]


def test_auto_with_a_gpu_torch_cannot_use_stops_before_any_job(tiny_project, tmp_path):
    env = {**os.environ, **_fake_smi(tmp_path, gpus=1)}
    env.pop("CUDA_VISIBLE_DEVICES", None)
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n"],
        cwd=tiny_project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode != 0 and len(lines) == 1, lines
    assert lines[0].startswith("error: train.device is auto: nvidia-smi lists Tesla T4 but")
    assert "train.device: cpu" in lines[0]
    # No job ran: at most the params check's model cache (data/cache/models.json) exists.
    written = {p.name for p in (tiny_project / "data").glob("*")}
    assert written <= {"cache"}, written
