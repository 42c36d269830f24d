"""Which device a job uses: CUDA when asked for (or under ``auto`` when usable), one GPU per
running job on a multi-GPU node, and one clear line when a GPU is visible but torch cannot use it.

Everything here reads ``nvidia-smi`` before touching ``torch.cuda``: CUDA reads
CUDA_VISIBLE_DEVICES once, when torch first asks it anything, so a job's slot is chosen first.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from proxy_attention.errors import UserError
from proxy_attention.layout import GPU_SLOTS

SLOT_DIR = Path(GPU_SLOTS)
VISIBLE = "CUDA_VISIBLE_DEVICES"
_held_slot: Any = None  # the open lock file of this process's GPU slot, held until it exits


class DeviceError(UserError):
    """A device setting this machine cannot honour; the message names the cause and the fix."""


def nvidia_smi_gpus() -> list[str]:
    """GPU names as ``nvidia-smi -L`` lists them; [] without nvidia-smi or when it fails."""
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        listing = subprocess.run(
            ["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return re.findall(r"^GPU \d+: (.+?)(?: \(UUID.*)?$", listing, re.MULTILINE)


def driver_cuda_version() -> str | None:
    """The newest CUDA version the installed driver supports ("CUDA Version: 12.4")."""
    try:
        header = subprocess.run(
            ["nvidia-smi"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"CUDA Version:\s*([0-9.]+)", header)
    return match.group(1) if match else None


def gpus_per_job(setting: str) -> int:
    """At DAG time: the ``gpu`` resource a training, explain or notebook job declares under
    ``train.device = setting`` (1 where it will use CUDA). ``auto`` where nvidia-smi lists a GPU
    that torch cannot use stops here, before any job, with the cause."""
    if setting == "cuda":
        return 1
    if setting == "cpu" or not nvidia_smi_gpus():  # no torch import on machines without GPUs
        return 0
    cause = unusable_gpu_cause()
    if cause is not None:
        raise DeviceError(f"train.device is auto: {cause}")
    return 1


def unusable_gpu_cause() -> str | None:
    """Why torch cannot use the GPUs nvidia-smi lists, or None when there is none or it can."""
    gpus = nvidia_smi_gpus()
    if not gpus:
        return None
    import torch

    if torch.cuda.is_available():
        return None
    built = torch.version.cuda
    if built is None:
        return (
            f"nvidia-smi lists {gpus[0]} but torch {torch.__version__} is a CPU-only build; "
            "install a CUDA build of torch, or set train.device: cpu to train on the CPU"
        )
    driver = driver_cuda_version()
    if driver is not None and _version(driver) < _version(built):
        return (
            f"nvidia-smi lists {gpus[0]} but its driver supports CUDA {driver} and torch "
            f"{torch.__version__} was built for CUDA {built}; update the NVIDIA driver (or "
            "install a torch build for an older CUDA), or set train.device: cpu"
        )
    return (
        f"nvidia-smi lists {gpus[0]} but torch {torch.__version__} (CUDA {built}) cannot use it "
        f"(driver CUDA {driver or 'unknown'}; check {VISIBLE} and the driver with nvidia-smi), "
        "or set train.device: cpu"
    )


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def claim_gpu_slot(slot_dir: Path = SLOT_DIR) -> int | None:
    """Give this process a GPU of its own on a multi-GPU node: lock the first free slot file and
    set CUDA_VISIBLE_DEVICES to it. Snakemake's ``gpu`` resource caps how many jobs run at once
    but does not say which GPU each takes; SLURM (or the user) setting CUDA_VISIBLE_DEVICES wins.
    """
    global _held_slot
    if VISIBLE in os.environ or _held_slot is not None:
        return None
    count = len(nvidia_smi_gpus())
    if count < 2:
        return None
    slot_dir.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        handle = open(slot_dir / f"gpu-{index}.lock", "w")  # noqa: SIM115 (held until exit)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        _held_slot = handle
        os.environ[VISIBLE] = str(index)
        return index
    return None  # more jobs than GPUs (gpu resource not capped): share them as CUDA decides


def resolve_device(name: str):
    """``train.device`` as a torch device, after claiming a slot and ruling out a silent CPU
    fallback: ``auto`` with a GPU torch cannot use stops with the cause."""
    import torch

    if name != "cpu":
        claim_gpu_slot()
    if name == "auto":
        cause = unusable_gpu_cause()
        if cause is not None:
            raise DeviceError(f"train.device is auto: {cause}")
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise DeviceError(
            "train.device is 'cuda' but torch sees no CUDA device; "
            f"{unusable_gpu_cause() or 'no GPU is visible'}; use auto or cpu"
        )
    return torch.device(name)


def device_report(device) -> dict[str, Any]:
    """What a run records about where it ran: device, its name, AMP, torch and CUDA versions."""
    import torch

    cuda = device.type == "cuda"
    return {
        "type": device.type,
        "name": torch.cuda.get_device_name(device) if cuda else _cpu_name(),
        "amp": cuda,  # mixed precision and gradient scaling run exactly on CUDA (train/loop.py)
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if cuda else None,
        "visible_devices": os.environ.get(VISIBLE),
        "threads": torch.get_num_threads(),
    }


def describe(report: dict[str, Any]) -> str:
    """The one log line a run starts with."""
    return (
        f"device {report['type']} ({report['name']}), AMP {'on' if report['amp'] else 'off'}, "
        f"torch {report['torch']} (CUDA build {report['cuda'] or 'none'}), "
        f"{report['threads']} threads"
    )


def _cpu_name() -> str:
    import platform

    return platform.processor() or platform.machine() or "cpu"


def train_job_threads(cores: int | None, gpus_per_job: int, gpus: int) -> int:
    """The threads a training job declares: one on the CPU, where parallel one-thread jobs
    train fastest; on CUDA its GPU's share of the node's cores (``cores`` None: all of them),
    which the per-sample policies' loader workers use."""
    if not gpus_per_job:
        return 1
    cores = cores or os.cpu_count() or 1
    return max(1, cores // max(gpus, 1))


def loader_workers(requested: int | str, threads: int | None, per_sample: bool) -> int:
    """DataLoader workers: none where batches are gathered and augmented on the device (no
    per-sample policy); else ``train.num_workers`` within the job's threads, of which the main
    process takes one, and ``auto`` takes every spare one."""
    if not per_sample:
        return 0
    spare = max((threads or os.cpu_count() or 1) - 1, 0)
    if requested == "auto":
        return spare
    return min(int(requested), spare) if threads else int(requested)
