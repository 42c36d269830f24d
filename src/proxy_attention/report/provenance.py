"""Where a built thesis comes from: commit, tree state, parameter and lock-file hashes, the
command that rebuilds it, and the size of the source thesis' grid computed from its config."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path

from proxy_attention.bundles import bundles
from proxy_attention.grid import expand_grid
from proxy_attention.layout import METRICS_ROOT
from proxy_attention.params import load_params, params_hash
from proxy_attention.report.latex import escape, macro
from proxy_attention.report.templates import COLOPHON_WORDS, phrase

HASH_NAME = "SHA-256"
DEFAULT_PARAMS = "params.yaml"
# Results a build writes into the checkout for the user to commit (DVC's metrics and lock):
# outputs, not sources, so they do not make the tree dirty.
BUILD_OUTPUTS = (METRICS_ROOT, "dvc.lock")


def file_hash(path: str | Path) -> str:
    """The first 12 hex digits of the file's SHA-256, as params_hash does for params.yaml."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=True, cwd=cwd
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def tree_state(root: Path) -> tuple[str, bool | None]:
    """(short commit, whether tracked or unignored files other than BUILD_OUTPUTS differ from
    it); None: not a checkout."""
    commit = _git(["rev-parse", "--short=12", "HEAD"], root)
    if commit is None:
        return "not a git checkout", None
    outputs = [f":(top,exclude){path}" for path in BUILD_OUTPUTS]
    status = _git(["status", "--porcelain", "--", ":(top)", *outputs], root)
    return commit, bool(status)


def rebuild_command(params_path: str | Path) -> str:
    if Path(params_path).name == DEFAULT_PARAMS:
        return "bash workflow/scripts/run-pipeline.sh"
    return f".venv/bin/snakemake --cores N --config params={Path(params_path).as_posix()}"


def colophon(
    params_path: str | Path, lock_path: str | Path | None = None, root: str | Path | None = None
) -> str:
    """The thesis' colophon. The checkout and its lock file are the project's, where the steps
    run (``root``, the working directory), wherever the params file lies: beside it, a config
    in workflow/configs/ has no lock and one outside the checkout no git history."""
    root = Path(root) if root is not None else Path.cwd()
    commit, dirty = tree_state(root)
    lock = Path(lock_path) if lock_path else root / "requirements.lock"
    found = {
        "commit": escape(commit),
        "date": dt.date.today().isoformat(),
        "hash_name": HASH_NAME,
        "params_hash": params_hash(params_path),
        "lock_hash": file_hash(lock) if lock.exists() else None,
        "clean": None if dirty is None else not dirty,
        "command": escape(rebuild_command(params_path)),
    }
    return phrase(COLOPHON_WORDS, "colophon", c=found) + "\n"


def thesis_grid_macros(config: str | Path | None) -> list[str]:
    """\\ThesisGridRuns and \\ThesisGridBundles, counted from the source thesis' config."""
    if config is None or not Path(config).exists():
        return [
            macro("ThesisGridRuns", "(not counted)"),
            macro("ThesisGridBundles", "(not counted)"),
        ]
    params = load_params(config)
    return [
        macro("ThesisGridRuns", f"{len(expand_grid(params)):,}".replace(",", "{,}")),
        macro("ThesisGridBundles", f"{len(bundles(params)):,}".replace(",", "{,}")),
    ]
