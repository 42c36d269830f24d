"""Resumable runs: a fixed-name work directory ``<out>.partial`` with the state of the last epoch.

A run killed at any moment (SIGKILL, node failure, wall-time limit) and started again continues
from the last finished epoch and ends with the numbers of an uninterrupted run (on CPU). The
work directory is renamed onto ``<out>`` only when the run is complete.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from proxy_attention.atomic import atomic_path, remove_temporaries, write_text
from proxy_attention.faults import boundary

STATE = "resume.pt"
# The record of the inputs the work directory was made from, written when it is created;
# it travels with the finished run, so the result says what it was made from.
INPUTS = "inputs.json"
# Test-only fault injection: SIGKILL this process right after the state of epoch N is saved,
# so tests (and anyone checking a cluster's requeue) can kill a run at a known point.
KILL_AFTER_EPOCH = "PROXY_ATTENTION_KILL_AFTER_EPOCH"


@dataclass
class Progress:
    """How far a run has got: what resume.pt saves beside the random streams, and what the
    finished run reports from."""

    inputs: str  # the run's inputs record (inputs_record): a state is valid only for these
    batch_size: int
    epoch: int = 0  # the last finished epoch
    history: list[dict[str, Any]] = field(default_factory=list)  # one metrics row an epoch
    proxy_records: list[dict[str, Any]] = field(default_factory=list)  # one a proxy step
    splits_used: int = 1  # train/validation splits drawn so far (re-split runs draw more)
    seconds_before: float = 0.0  # training time of the epochs saved, over every attempt

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Progress:
        fields = json.loads(text)
        # resume.pt files written before the rename call the inputs record "fingerprint".
        fields.setdefault("inputs", fields.pop("fingerprint", None))
        return cls(**fields)


def partial_dir(out_dir: str | os.PathLike) -> Path:
    """The work directory of ``out_dir``: a sibling with a fixed name, so a restart finds it."""
    out = Path(out_dir)
    return out.with_name(out.name + ".partial")


def inputs_record(*parts: Any) -> str:
    """What the saved state is only valid for: every input of the run (run_inputs)."""
    return json.dumps(parts, sort_keys=True, default=str)


def claim(work: Path, expected_inputs: str) -> None:
    """Keep ``work`` only if it was made from exactly these inputs; otherwise start it afresh.

    Guards both a saved epoch state and a finished but not yet renamed result: either from
    other settings, another split or other prepared data must never become this run's result.
    """
    recorded = work / INPUTS
    if work.exists() and not (recorded.exists() and recorded.read_text() == expected_inputs):
        shutil.rmtree(work)
    if not recorded.exists():
        write_text(recorded, expected_inputs)


def save_state(
    work: Path,
    *,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    scaler: torch.amp.GradScaler,
    loader_generator: torch.Generator,
    proxy_rng: np.random.Generator,
    progress: Progress,
) -> None:
    """Write everything the next epoch depends on, atomically, to ``work/resume.pt``."""
    numpy_state = np.random.get_state(legacy=False)
    numpy_state["state"]["key"] = numpy_state["state"]["key"].tolist()
    # Non-tensor states travel as JSON text so the file loads with weights_only=True.
    rng = {
        "numpy": numpy_state,
        "python": random.getstate(),
        "proxy": proxy_rng.bit_generator.state,
    }
    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "scaler": scaler.state_dict(),
        "torch_rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "loader_rng": loader_generator.get_state(),
        "rng_json": json.dumps(rng),
        "progress_json": progress.to_json(),
    }
    with atomic_path(work / STATE) as tmp:
        torch.save(state, tmp)
    if os.environ.get(KILL_AFTER_EPOCH) == str(progress.epoch):
        os.kill(os.getpid(), signal.SIGKILL)


def read_state(work: Path, expected_inputs: str) -> dict[str, Any] | None:
    """The saved state when it belongs to this run's settings; None (and a clean slate) if not."""
    path = work / STATE
    if not path.exists():
        return None
    state = torch.load(path, map_location="cpu", weights_only=True)
    state["progress"] = Progress.from_json(state.pop("progress_json"))
    if state["progress"].inputs != expected_inputs:
        # The run's parameters changed since the state was written: its epochs are not ours.
        shutil.rmtree(work)
        return None
    return state


def restore_state(
    state: dict[str, Any],
    *,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    scaler: torch.amp.GradScaler,
    loader_generator: torch.Generator,
    proxy_rng: np.random.Generator,
) -> None:
    """Put the model, optimizer, schedule, scaler and every random stream back as saved."""
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    scaler.load_state_dict(state["scaler"])
    torch.set_rng_state(state["torch_rng"])
    if state["cuda_rng"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    loader_generator.set_state(state["loader_rng"])
    rng = json.loads(state["rng_json"])
    numpy_state = rng["numpy"]
    numpy_state["state"]["key"] = np.asarray(numpy_state["state"]["key"], dtype=np.uint32)
    np.random.set_state(numpy_state)
    version, internal, gauss = rng["python"]
    random.setstate((version, tuple(internal), gauss))
    proxy_rng.bit_generator.state = rng["proxy"]


def discard_unfinished_steps(work: Path, rounds: int) -> None:
    """Remove proxy steps the saved state does not count: half-written or after the last save."""
    proxy = work / "proxy"
    if not proxy.is_dir():
        return
    for entry in proxy.iterdir():
        # atomic_dir's temporary names start with ".step-"; finished steps are "step-NN".
        finished = re.fullmatch(r"step-(\d+)", entry.name)
        if entry.name.startswith(".step-") or (finished and int(finished.group(1)) > rounds):
            shutil.rmtree(entry, ignore_errors=True)


def finish(work: Path, out: Path) -> None:
    """Drop the resume state and move the complete work directory onto ``out``."""
    boundary("train:before-rename")
    (work / STATE).unlink(missing_ok=True)
    remove_temporaries(work)  # files a killed attempt left half-written: never in a result
    if out.exists():  # Snakemake creates the output folder before the job starts
        shutil.rmtree(out)
    os.replace(work, out)
