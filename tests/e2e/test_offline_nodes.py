"""Offline compute nodes: download and weights are local rules, training reads the weights
cache with the hub offline. Checked on the DAG (`snakemake -n -p`); nothing is fetched."""

import re

import pytest
import yaml

from tests.e2e.conftest import run
from tests.helpers.workflow import workflow_value

pytestmark = pytest.mark.e2e


def _dry(project, pretrained: bool) -> str:
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["train"]["pretrained"] = pretrained
    params["grid"]["models"] = ["mobilenetv3_small_100", "resnet18"]
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    result = run(["snakemake", "-n", "-p", "runs"], project)
    return result.stdout + result.stderr


def test_pretrained_grids_cache_weights_locally_before_training(tiny_project):
    output = _dry(tiny_project, pretrained=True)
    assert {"download", "weights"} <= set(workflow_value(tiny_project, "sorted(w._localrules)"))
    assert "HF_HOME=data/cache/weights/huggingface" in output
    fetch = re.search(
        r"^(Shell command: )?HF_HOME=\S+ TORCH_HOME=\S+ \S+ -m proxy_attention weights",
        output,
        re.M,
    )
    assert fetch and "HF_HUB_OFFLINE" not in fetch.group(0)  # the fetch itself is online
    trains = re.findall(r"^rule train:\n    input: ([^\n]+)", output, re.MULTILINE)
    assert trains and all("data/cache/weights/ready.json" in line for line in trains)
    commands = [
        line.removeprefix("Shell command: ")
        for line in output.splitlines()
        if "-m proxy_attention train " in line
    ]
    assert commands and all(
        line.startswith("HF_HOME=data/cache/weights/huggingface ") for line in commands
    )
    assert all("HF_HUB_OFFLINE=1" in line for line in commands)


def test_a_grid_without_pretrained_weights_fetches_nothing(tiny_project):
    output = _dry(tiny_project, pretrained=False)
    assert "rule weights:" not in output and "ready.json" not in output
    commands = [line for line in output.splitlines() if "-m proxy_attention train " in line]
    assert commands and all("HF_HUB_OFFLINE=1" in line for line in commands)
