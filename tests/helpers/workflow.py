"""Snakemake's own view of a project's Snakefile (what a dry run does not print), read in a
subprocess through its API: ``workflow_value(project, "sorted(w._localrules)")``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

_SCRIPT = """
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ResourceSettings
resources, cores = json.loads(sys.argv[2]), json.loads(sys.argv[3])
with SnakemakeApi() as api:
    w = api.workflow(
        resource_settings=ResourceSettings(resources=resources, cores=cores),
        snakefile=Path("Snakefile"),
    )._workflow
    print(json.dumps(eval(sys.argv[1])))
"""


def workflow_value(
    project: Path,
    expression: str,
    resources: dict | None = None,
    env: dict | None = None,
    cores: int | None = None,
) -> Any:
    """``expression`` evaluated with ``w`` the parsed workflow (internal API: tests only)."""
    arguments = [expression, json.dumps(resources or {}), json.dumps(cores)]
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *arguments],
        cwd=project,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise AssertionError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def declared_outputs(project: Path) -> dict[str, str]:
    """Every output path of the project's DAG (files and directories) -> its rule, from
    `snakemake --summary`, which lists the outputs whether they exist or not."""
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--summary", "--nolock"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise AssertionError(result.stderr[-3000:])
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    return {row[0]: row[2] for row in rows[1:] if len(row) > 2}


def undeclared(paths, outputs: dict[str, str]) -> list[str]:
    """The ``paths`` that are neither a declared output nor inside a declared one (a
    directory output stands for everything in it)."""
    return [
        path
        for path in paths
        if path not in outputs and not any(path.startswith(f"{out}/") for out in outputs)
    ]
