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

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from proxy_attention.atomic import write_json
from proxy_attention.grid import expand_grid
from proxy_attention.stamps import is_current, stamp


def bundles(params: dict[str, Any]) -> dict[str, list[str]]:
    """Bundle id -> its run ids, in grid order. The id is a run id with the lists trained
    together shown as ``x``, so it stays the same when those lists grow."""
    together = frozenset(params["grid"]["train_together"])
    grouped: dict[str, list[str]] = {}
    for spec in expand_grid(params):
        grouped.setdefault(spec.masked_id(together), []).append(spec.run_id)
    return grouped


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
