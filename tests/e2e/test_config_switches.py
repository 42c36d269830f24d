"""Snakemake's own switches: --configfile and --config params= pick the params file; any other
--config key, or a file that fails validation, stops with one line before any job."""

import re
import subprocess
import sys

import pytest
import yaml

from tests.e2e.conftest import run

pytestmark = pytest.mark.e2e


def _other_params(project):
    """The tiny params with a second seed and a renamed dataset: its jobs tell it apart."""
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["datasets"] = {"small_digits": params["datasets"]["digits"]}
    params["grid"].update(datasets=["small_digits"], seeds=[0, 1])
    path = project / "workflow" / "configs" / "other.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path.relative_to(project).as_posix()


def _train_jobs(output: str) -> int:
    match = re.search(r"^train\s+(\d+)$", output, re.MULTILINE)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("switch", ["--configfile", "--config"])
def test_configfile_and_config_params_run_the_named_file(tiny_project, switch):
    other = _other_params(tiny_project)
    default = run(["snakemake", "-n", "runs"], tiny_project)
    args = [switch, other] if switch == "--configfile" else [switch, f"params={other}"]
    named = run(["snakemake", "-n", "runs", *args], tiny_project)
    output = named.stdout + named.stderr
    assert _train_jobs(output) == 2 * _train_jobs(default.stdout + default.stderr) > 0
    assert "small_digits" in output and "data/prepared/digits" not in output
    # the jobs' command lines name the file relative to the project, as --config params= does
    assert f"--params {other} " in run(["snakemake", "-n", "-p", *args], tiny_project).stdout


def _fails(project, *args):
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert not (project / "data").exists()  # nothing ran
    return lines


def test_another_config_key_stops_with_one_line(tiny_project):
    lines = _fails(tiny_project, "--config", "grid={seeds: [5]}")
    assert lines == [
        "error: --config grid=... is not read by this pipeline (only --config params=FILE is);"
        " put the setting in a params file and pass it with --configfile FILE"
    ]


def test_an_invalid_configfile_stops_with_one_line(tiny_project):
    params = yaml.safe_load((tiny_project / "params.yaml").read_text())
    params["train"]["device"] = "tpu"
    (tiny_project / "bad.yaml").write_text(yaml.safe_dump(params))
    lines = _fails(tiny_project, "--configfile", "bad.yaml")
    assert len(lines) == 1 and lines[0].startswith("error: bad.yaml: train.device = 'tpu'")


def test_split_settings_are_params_of_the_split_job_only(tiny_project):
    from tests.helpers.workflow import workflow_value

    digits = "__import__('types').SimpleNamespace(dataset='digits')"
    steps = f"[w.globals['dataset_params']({digits}), w.globals['split_params']({digits})]"
    before = workflow_value(tiny_project, steps)
    params = yaml.safe_load((tiny_project / "params.yaml").read_text())
    params["split"]["seed"] = 7
    (tiny_project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    after = workflow_value(tiny_project, steps)
    assert after[0] == before[0]  # download and prepare: unchanged, not rerun
    assert after[1] != before[1] and '"seed": 7' in after[1]  # split: rerun
