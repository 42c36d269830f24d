"""Freshness stamps: which settings and code made a run's (or its explanation's) result.

A bundle job (bundles.py) makes again only the runs whose result is not current, by the rule
Snakemake applies to the files it tracks: same params (which hold the code's digest) and newer
than the inputs. Single-run jobs stamp their results too, so switching grid.train_together on
retrains nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from proxy_attention.atomic import write_text
from proxy_attention.code_digest import run_digest
from proxy_attention.layout import METRICS

RESULT = METRICS  # the file that stands for a finished run or explanation
STAMP = "settings.sha256"  # beside a run's (or its explanation's) metrics.json


def stamp_text(settings: str, run_id: str, step: str) -> str:
    """What a result's stamp holds: a hash of its run, its step's settings and the code that
    step runs for it (code_digest.run_digest; ``step`` is "train" or "explain")."""
    code = run_digest(step, run_id)
    return hashlib.sha256(f"{run_id}\n{code}\n{settings}".encode()).hexdigest()


def stamp(result: str | Path, settings: str, run_id: str, step: str) -> None:
    """Record which settings and code produced ``result``."""
    write_text(Path(result).parent / STAMP, stamp_text(settings, run_id, step) + "\n")


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
    if stamp_file.read_text().strip() != stamp_text(settings, run_id, step):
        return False
    newest_input = max((Path(path).stat().st_mtime for path in inputs), default=0.0)
    return result.stat().st_mtime >= newest_input
