"""TensorBoard's HParams summary of a finished run: its grid knobs and its final metrics.

`tensorboard --logdir data/runs` then lists every run in the HParams tab, one row per run, so
runs can be filtered and compared by their knobs. The summary goes into the run's own event file
(not the sub-run `SummaryWriter.add_hparams` would create), so the scalars and the hparams of a
run share one TensorBoard run.
"""

from __future__ import annotations

from typing import Any

from torch.utils.tensorboard import SummaryWriter
from torch.utils.tensorboard.summary import hparams

from proxy_attention.grid import RunSpec

# Final metrics, tag -> path in metrics.json; the tags are scalars of the same event file.
METRIC_TAGS = {
    "test/accuracy": ("test", "accuracy"),
    "test/f1_macro": ("test", "f1_macro"),
    "test/loss": ("test", "loss"),
    "timing/wall_seconds": ("timing", "wall_seconds"),
}


def run_hparams(spec: RunSpec) -> dict[str, Any]:
    """The run's grid knobs as HParams values: strings and numbers, never None.

    Booleans go in as "true"/"false": torch's `hparams` tests for int before bool, so it would
    record them as the numbers 1.0 and 0.0.
    """
    proxy = spec.proxy
    return {
        "dataset": spec.dataset,
        "model": spec.model,
        "augmentation": spec.augmentation,
        "schedule": " ".join(str(step) for step in spec.schedule),
        "seed": spec.seed,
        "proxy": _flag(proxy is not None),
        "proxy_method": proxy.method if proxy else "off",
        "proxy_threshold": proxy.threshold if proxy else 0.0,
        "proxy_weight": proxy.weight if proxy else 0.0,
        "proxy_subset": proxy.subset if proxy else 0.0,
        "proxy_clear_every_step": _flag(proxy.clear_every_step) if proxy else "off",
        "proxy_mode": proxy.mode if proxy else "off",
        "resplit_each_round": _flag(spec.resplit_each_round),
    }


def _flag(value: bool) -> str:
    return "true" if value else "false"


def final_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    values = {tag: float(metrics[group][key]) for tag, (group, key) in METRIC_TAGS.items()}
    values["val/accuracy"] = float(metrics["epochs"][-1]["val_accuracy"])
    return values


def log_hparams(writer: SummaryWriter, spec: RunSpec, metrics: dict[str, Any], step: int) -> None:
    """Write the HParams summary and the final metrics it refers to into ``writer``'s file."""
    values = final_metrics(metrics)
    experiment, session_start, session_end = hparams(run_hparams(spec), values)
    file_writer = writer._get_file_writer()  # the public add_hparams writes to a new sub-run
    for summary in (experiment, session_start, session_end):
        file_writer.add_summary(summary)
    for tag, value in values.items():
        if tag not in ("test/accuracy", "val/accuracy"):  # these two the run already logs
            writer.add_scalar(tag, value, step)
