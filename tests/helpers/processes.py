"""A process that looks like a Snakemake build, for tests of what a second build does."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil


@contextlib.contextmanager
def fake_build(folder: Path) -> Iterator[int]:
    """The pid of `<folder>/bin/snakemake --cores 1` (a sleeping Python script) running in
    ``folder``, started from another shell, so not a child of this process (as a build in a
    second terminal is not); killed on exit."""
    script = folder / "bin" / "snakemake"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text("import time\ntime.sleep(300)\n")
    build = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} --cores 1"
    started = subprocess.run(
        ["bash", "-c", f"{build} >/dev/null 2>&1 & echo $!"],
        cwd=folder, capture_output=True, text=True, check=True,
    )  # fmt: skip
    pid = int(started.stdout.strip())
    try:
        yield pid
    finally:
        os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(pid).wait(timeout=30)  # gone, not just signalled
