"""Bundles: the runs that differ only in some grid lists, trained (and explained) by one job.

Snakemake spends about a millisecond planning each job, however small: `snakemake -n` on 43,000
one-line jobs takes 50 s on a 2-core machine. The source thesis' grid has 21,690 runs, so one job
per run cannot be listed in seconds. `grid.train_together` names grid lists whose values share a
job: with `[thresholds, weights]` the thesis grid travels in 1,170 bundles of up to 20 runs.

A bundle job trains only its runs that are not current (a result stamped with the same settings,
newer than its inputs), so adding a value to a list trained together trains the new runs and
reruns nothing else; a killed bundle resumes where it stopped. With `train_together: []`, the
default, every run is its own Snakemake job and Snakemake tracks its files directly.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from proxy_attention.atomic import write_json, write_text
from proxy_attention.code_digest import run_digest
from proxy_attention.grid import expand_grid
from proxy_attention.layout import METRICS

RESULT = METRICS  # the file that stands for a finished run or explanation
STAMP = "settings.sha256"  # beside a run's (or its explanation's) metrics.json


def train_slice(params: dict[str, Any]) -> dict[str, Any]:
    """Every knob a training run reads beyond its run id and its data: the only params that
    train.run.train_run is given, so what it reads is what the settings string declares."""
    return {"train": params["train"], "proxy": params["proxy"]}


def explain_slice(params: dict[str, Any]) -> dict[str, Any]:
    """Every knob the explain step reads beyond the run id, its checkpoint and its data: the
    only params explain.measure.measure_run is given."""
    return {"explain": params["explain"], "target_layer": params["proxy"]["target_layer"]}


def settings_string(step_slice: dict[str, Any]) -> str:
    """A step's slice as canonical JSON: the rule param Snakemake compares, and what a
    result's stamp is a hash of."""
    return json.dumps(step_slice, sort_keys=True)


def train_settings(params: dict[str, Any]) -> str:
    return settings_string(train_slice(params))


def explain_settings(params: dict[str, Any]) -> str:
    return settings_string(explain_slice(params))


class _AnyParams(dict):
    """Answers every key with itself: given to a slice function, it yields the slice's keys
    without a params file, so require_slice reads them from the function that defines them."""

    def __missing__(self, key: str) -> _AnyParams:
        return self


_SLICE_PROBE = _AnyParams()


def require_slice(given: dict[str, Any], step_slice: Callable[[dict], dict], step: str) -> None:
    """Refuse anything but a slice made by ``step_slice``: a whole params dict would let the
    step read keys its settings string does not declare."""
    expected = sorted(step_slice(_SLICE_PROBE))
    if sorted(given) != expected:
        raise TypeError(
            f"{step} takes bundles.{step_slice.__name__}(params), whose keys are {expected}; "
            f"got the keys {sorted(given)}"
        )


def bundles(params: dict[str, Any]) -> dict[str, list[str]]:
    """Bundle id -> its run ids, in grid order. The id is a run id with the lists trained
    together shown as ``x``, so it stays the same when those lists grow."""
    together = frozenset(params["grid"]["train_together"])
    grouped: dict[str, list[str]] = {}
    for spec in expand_grid(params):
        grouped.setdefault(spec.masked_id(together), []).append(spec.run_id)
    return grouped


def fingerprint(settings: str, run_id: str, step: str) -> str:
    """What a result's stamp holds: a hash of its run, its step's settings and the code that
    step runs for it (code_digest.run_digest; ``step`` is "train" or "explain")."""
    code = run_digest(step, run_id)
    return hashlib.sha256(f"{run_id}\n{code}\n{settings}".encode()).hexdigest()


def stamp(result: str | Path, settings: str, run_id: str, step: str) -> None:
    """Record which settings and code produced ``result``."""
    write_text(Path(result).parent / STAMP, fingerprint(settings, run_id, step) + "\n")


def is_current(
    result: str | Path, settings: str, run_id: str, step: str, inputs: Iterable[str | Path]
) -> bool:
    """Whether ``result`` exists, was made with these settings and this code, and is newer
    than its inputs: Snakemake's own rerun rule (params, which hold the code's digest, and
    modification times) for a file it does not track."""
    result = Path(result)
    stamp_file = result.parent / STAMP
    if not (result.exists() and stamp_file.exists()):
        return False
    if stamp_file.read_text().strip() != fingerprint(settings, run_id, step):
        return False
    newest_input = max((Path(path).stat().st_mtime for path in inputs), default=0.0)
    return result.stat().st_mtime >= newest_input


def run_bundle(
    run_ids: Sequence[str],
    settings: str,
    step: str,
    result_of: Callable[[str], Path],
    inputs_of: Callable[[str], list[Path]],
    make: Callable[[str], None],
    marker_path: str | Path,
) -> list[dict[str, Any]]:
    """``make`` every run of a bundle whose result of ``step`` is not current, then write the
    marker."""
    done = []
    for run_id in run_ids:
        result = result_of(run_id)
        if is_current(result, settings, run_id, step, inputs_of(run_id)):
            done.append({"run_id": run_id, "status": "current", "seconds": 0.0})
            continue
        started = time.perf_counter()
        make(run_id)
        stamp(result, settings, run_id, step)
        done.append({"run_id": run_id, "status": "made", "seconds": time.perf_counter() - started})
    write_json(marker_path, {"runs": done})
    return done
