"""A second `snakemake` while a build runs in the folder says so in one line, runs nothing."""

import subprocess
import sys

import pytest

from proxy_attention import layout
from tests.helpers.processes import fake_build

pytestmark = pytest.mark.e2e


def test_a_second_build_names_the_running_one_and_runs_nothing(tiny_project):
    manifest = layout.RAW_MANIFEST.format(dataset="digits")
    command = [sys.executable, "-m", "snakemake", "--cores", "1", manifest]
    with fake_build(tiny_project) as pid:
        second = subprocess.run(command, cwd=tiny_project, capture_output=True, text=True)
        dry = subprocess.run([*command, "-n"], cwd=tiny_project, capture_output=True, text=True)
    assert second.returncode != 0
    lines = [line for line in (second.stdout + second.stderr).splitlines() if line.strip()]
    assert lines == [
        f"error: another Snakemake build (pid {pid}) is running in {tiny_project}; wait for it "
        f"to finish or stop it (kill {pid}), then rerun: two builds would write the same files "
        "(a dry run, -n, may run beside it)"
    ]
    assert not (tiny_project / "data" / "raw").exists()  # no job ran (validation caches models)
    assert dry.returncode == 0, dry.stderr[-2000:]
