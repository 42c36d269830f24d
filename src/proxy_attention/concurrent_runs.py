"""A second Snakemake build in a folder where one is running: said in one line, before any
job. Snakemake's own answer is an IncompleteFilesException advising --rerun-incomplete, which
would redo the running build's jobs under it (its lock is only checked after that)."""

from __future__ import annotations

from collections.abc import Sequence

import psutil

from proxy_attention.errors import UserError

# Options under which Snakemake takes no lock, or only reports: they may run beside a build.
LOOKING = {
    "-n", "--dry-run", "--dryrun", "--nolock", "--unlock", "--summary", "-S",
    "--detailed-summary", "-D", "--report", "--dag", "--rulegraph", "--filegraph", "--lint",
    "--cleanup-metadata", "--cm", "-l", "--lt",
}  # fmt: skip


def takes_lock(argv: Sequence[str]) -> bool:
    """Whether the command line ``argv`` is a Snakemake build (it locks the outputs)."""
    # .venv/bin/snakemake, python -m snakemake, or .../snakemake/__main__.py (sys.argv then)
    if not any("snakemake" in part for part in argv[:3]):
        return False
    for arg in argv:
        if arg in LOOKING or arg.startswith(("--list", "--dry")):
            return False
        if (
            arg.startswith("-")
            and not arg.startswith("--")
            and "n" in arg[1:]
            and arg[1:].isalpha()
        ):
            return False  # -n in a bundle of short flags (-np)
    return True


def other_build(folder: str) -> psutil.Process | None:
    """A Snakemake build running in ``folder`` that is neither this process, nor one of its
    ancestors, nor one of its children (the rulegraph rule runs a Snakemake of its own)."""
    me = psutil.Process()
    family = {me.pid, *(p.pid for p in me.parents()), *(p.pid for p in me.children(True))}
    for process in psutil.process_iter(["pid", "cmdline", "cwd"]):
        info = process.info
        if process.pid in family or info.get("cwd") != folder:
            continue
        if takes_lock(info.get("cmdline") or []):
            return process
    return None


def check_no_other_build(argv: Sequence[str], folder: str) -> None:
    """Refuse a build while another runs in ``folder`` (dry runs and reports may)."""
    if not takes_lock(argv):
        return
    other = other_build(folder)
    if other is not None:
        raise UserError(
            f"another Snakemake build (pid {other.pid}) is running in {folder}; wait for it to "
            f"finish or stop it (kill {other.pid}), then rerun: two builds would write the "
            "same files (a dry run, -n, may run beside it)"
        )
