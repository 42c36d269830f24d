"""A failed download job never deletes the archives in data/raw (issue 13, broken 3).

Snakemake removes the outputs of a failed job; when the output was the whole raw folder, a
Kaggle archive the user had placed there by hand (as the error message asked) went with it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
import yaml

from tests.e2e.conftest import make_project, tiny_params
from tests.helpers import archives

pytestmark = pytest.mark.e2e


def _snakemake(project, target, home, *extra):
    env = {**os.environ, "HOME": str(home)}
    for name in ("KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_CONFIG_DIR"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "snakemake", target, "--cores", "1", *extra],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_reruns_of_the_download_job_keep_the_hand_placed_archive(tmp_path):
    """Placed by hand, used; then a dataset setting changes (the download job reruns) and a
    wrong digest is pinned (it fails): the archive is there, unchanged, after each."""
    built = archives.asl_alphabet(tmp_path)
    params = tiny_params()
    params["datasets"]["asl"] = {
        "source": "asl_alphabet",
        "image_size": 16,
        "checksums": built.checksums(),
    }
    project = make_project(tmp_path / "project", params)
    placed = project / "data" / "raw" / "asl" / "asl-alphabet.zip"
    home = tmp_path / "home"  # no Kaggle credentials: the archive is the only source
    home.mkdir()

    def rerun_with(*extra, **entry):
        params["datasets"]["asl"].update(entry)
        (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
        return _snakemake(project, "data/prepared/asl", home, *extra)

    missing = rerun_with()  # what the user sees first: where to put the archive
    assert missing.returncode != 0
    log = (project / "logs" / "download" / "asl.log").read_text()
    assert f"save the archive as {placed.relative_to(project)}, then rerun" in log
    placed.parent.mkdir(parents=True, exist_ok=True)
    placed.write_bytes(built.archives[0].read_bytes())
    digest = hashlib.sha256(placed.read_bytes()).hexdigest()

    first = rerun_with()
    assert first.returncode == 0, first.stderr[-3000:]
    resized = rerun_with(image_size=24)  # the download job reruns: verified in place
    assert resized.returncode == 0, resized.stderr[-3000:]
    assert placed.exists() and hashlib.sha256(placed.read_bytes()).hexdigest() == digest
    wrong = rerun_with("--forcerun", "download", checksums={"asl-alphabet.zip": "md5:" + "0" * 32})
    assert wrong.returncode != 0
    log = (project / "logs" / "download" / "asl.log").read_text()
    assert "checksum mismatch for asl-alphabet.zip" in log and "left as it is" in log
    assert placed.exists() and hashlib.sha256(placed.read_bytes()).hexdigest() == digest
