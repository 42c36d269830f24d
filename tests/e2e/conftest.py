"""A tiny copy of the project in a temporary folder, for running the real pipeline on it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# src/ only as DVC dependencies: the code that runs is the installed package.
PROJECT_FILES = [
    "src",
    "Snakefile",
    "dvc.yaml",
    "params.yaml",
    ".dvcignore",
    "workflow",
    "thesis",
    "notebooks",
    ".dvc/config",
    ".gitignore",
    "requirements.lock",  # the colophon names its hash
]


def tiny_params() -> dict:
    """The shipped params with a short proxy schedule on small digits: minutes, not hours."""
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["datasets"]["digits"]["image_size"] = 64
    params["grid"].update(schedules=[["p", 1]], seeds=[0])
    params["grid"]["proxy"].update(subsets=[0.1])
    # the leak twins are unit-tested (tests/unit/report/test_leak.py)
    params["grid"].pop("leak_check", None)
    params["report"]["estimate"] = "params.yaml"  # calibrates one small pair, not the thesis grid
    return params


def make_project(folder: Path, params: dict) -> Path:
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source,
                folder / name,
                ignore=shutil.ignore_patterns(
                    "generated", "build", "__pycache__", ".ipynb_checkpoints"
                ),
                dirs_exist_ok=True,  # a kept project (benchmarks' --out) gets fresh sources
            )
        elif source.exists():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    (folder / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    return folder


def run(command: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-4000:]}\n"
            f"{result.stderr[-4000:]}"
        )
    return result


@pytest.fixture
def tiny_project(tmp_path) -> Path:
    return make_project(tmp_path / "project", tiny_params())
