"""Device choice without a GPU: nvidia-smi faked on PATH, torch.cuda monkeypatched."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
import torch

from proxy_attention import devices
from proxy_attention.devices import (
    DeviceError,
    claim_gpu_slot,
    device_report,
    gpus_per_job,
    loader_workers,
    resolve_device,
    train_job_threads,
)

HEADER = "| NVIDIA-SMI 470.82   Driver Version: 470.82   CUDA Version: {cuda}     |"


@pytest.fixture
def fake_smi(tmp_path, monkeypatch):
    """Put an nvidia-smi that lists ``gpus`` A100s and reports driver CUDA ``cuda`` on PATH."""

    def install(gpus: int, cuda: str = "11.4") -> None:
        listing = "\n".join(f"GPU {i}: NVIDIA A100-SXM4-40GB (UUID: GPU-{i})" for i in range(gpus))
        script = tmp_path / "bin" / "nvidia-smi"
        script.parent.mkdir(exist_ok=True)
        script.write_text(
            "#!/bin/sh\n"
            f'if [ "$1" = "-L" ]; then printf "%s\\n" "{listing}"; exit 0; fi\n'
            f'echo "{HEADER.format(cuda=cuda)}"\n'
        )
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")

    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(devices, "_held_slot", None)
    return install


def test_no_nvidia_smi_means_cpu_under_auto(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert devices.nvidia_smi_gpus() == []
    assert gpus_per_job("auto") == 0 and gpus_per_job("cuda") == 1
    assert resolve_device("auto").type == "cpu"


def test_auto_with_a_gpu_torch_cannot_use_names_the_old_driver(fake_smi, monkeypatch):
    fake_smi(1, cuda="11.4")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.version, "cuda", "12.8")
    with pytest.raises(DeviceError) as error:
        resolve_device("auto")
    message = str(error.value)
    assert "NVIDIA A100-SXM4-40GB" in message and "\n" not in message
    assert "driver supports CUDA 11.4" in message and "built for CUDA 12.8" in message
    assert "train.device: cpu" in message
    assert resolve_device("cpu").type == "cpu"  # the way to train on the CPU there


def test_auto_with_a_cpu_only_torch_names_the_build(fake_smi, monkeypatch):
    fake_smi(1, cuda="12.4")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.version, "cuda", None)
    with pytest.raises(DeviceError, match="is a CPU-only build; install a CUDA build"):
        resolve_device("auto")


def test_cuda_at_dag_time_follows_torch_when_a_gpu_is_listed(fake_smi, monkeypatch):
    fake_smi(2)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert gpus_per_job("auto") == 1 and gpus_per_job("cpu") == 0
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceError, match="train.device is auto: nvidia-smi lists"):
        gpus_per_job("auto")


def test_each_process_claims_its_own_gpu_slot(fake_smi, tmp_path):
    fake_smi(2)
    slots = tmp_path / "slots"
    # Another running job holds slot 0: this one gets GPU 1.
    holder = subprocess.Popen(
        [sys.executable, "-c", CLAIM_AND_WAIT, str(slots)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert holder.stdout.readline().strip() == "0 0"
        assert claim_gpu_slot(slots) == 1 and os.environ["CUDA_VISIBLE_DEVICES"] == "1"
    finally:
        holder.kill()
        holder.wait()


CLAIM_AND_WAIT = """
import os, sys, time
from pathlib import Path
from proxy_attention.devices import claim_gpu_slot
print(claim_gpu_slot(Path(sys.argv[1])), os.environ["CUDA_VISIBLE_DEVICES"], flush=True)
time.sleep(60)
"""


def test_a_set_cuda_visible_devices_is_left_alone(fake_smi, monkeypatch, tmp_path):
    fake_smi(4)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3")
    assert claim_gpu_slot(tmp_path) is None and os.environ["CUDA_VISIBLE_DEVICES"] == "3"


def test_loader_workers_follow_the_threads_for_per_sample_policies_only():
    assert loader_workers(8, 1, per_sample=True) == 0
    assert loader_workers(8, 4, per_sample=True) == 3
    assert loader_workers(2, 8, per_sample=True) == 2
    assert loader_workers(8, None, per_sample=True) == 8
    assert loader_workers("auto", 8, per_sample=True) == 7
    assert loader_workers("auto", 1, per_sample=True) == 0
    # Batches gathered and augmented on the device need no worker, whatever is asked.
    assert loader_workers("auto", 8, per_sample=False) == 0
    assert loader_workers(4, 8, per_sample=False) == 0


def test_a_cuda_training_job_takes_its_gpus_share_of_the_cores():
    assert train_job_threads(16, gpus_per_job=0, gpus=0) == 1  # CPU: parallel one-thread jobs
    assert train_job_threads(16, gpus_per_job=1, gpus=1) == 16
    assert train_job_threads(16, gpus_per_job=1, gpus=4) == 4
    assert train_job_threads(2, gpus_per_job=1, gpus=4) == 1


def test_the_report_names_device_amp_and_versions():
    report = device_report(torch.device("cpu"))
    assert report["type"] == "cpu" and report["amp"] is False
    assert report["torch"] == torch.__version__ and report["threads"] >= 1
    assert "AMP off" in devices.describe(report)
