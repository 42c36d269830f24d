"""No value reaches a rule's shell unquoted: a params file, a path or a wildcard holding
``$(...)`` or a space is one word to the shell, never code (issue 26)."""

from __future__ import annotations

import ast
import re
import subprocess

import pytest

from proxy_attention import weights
from tests.helpers.repo import ROOT

# Globals of several words (an interpreter and its arguments, VAR=value prefixes): :q would
# make them one word, so the rules quote their parts where they are defined (checked below).
PRE_QUOTED = {"CLI", "SNAKEMAKE", "PAPERMILL", "OFFLINE_WEIGHTS", "params.env"}


def rule_shells() -> dict[str, str]:
    """Every rule's shell command template, by '<file>:<line>', read from workflow/rules."""
    shells = {}
    for path in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if line.strip() != "shell:":
                continue
            parts = []
            for part in lines[number + 1 :]:
                if not part.lstrip().startswith(('"', "'")):
                    break
                parts.append(ast.literal_eval(part.strip()))
            shells[f"{path.name}:{number + 1}"] = "".join(parts)
    return shells


def test_every_rule_has_a_shell_to_check():
    assert len(rule_shells()) >= 15


@pytest.mark.parametrize(("where", "shell"), sorted(rule_shells().items()))
def test_every_placeholder_is_quoted(where, shell):
    placeholders = re.findall(r"\{([^{}]+)\}", shell)
    assert placeholders, where
    unquoted = [p for p in placeholders if not p.endswith(":q") and p not in PRE_QUOTED]
    assert unquoted == [], f"{where}: quote with :q: {unquoted}"


def test_multi_word_globals_are_quoted_where_defined():
    rules = {p.name: p.read_text() for p in (ROOT / "workflow" / "rules").glob("*.smk")}
    assert 'CLI = shlex.join([sys.executable, "-m", "proxy_attention"])' in rules["common.smk"]
    assert 'SNAKEMAKE = shlex.join([sys.executable, "-m", "snakemake"])' in rules["common.smk"]
    assert "shlex.quote(sys.prefix" in rules["notebooks.smk"]
    assert "OFFLINE_WEIGHTS = shell_prefix(" in rules["weights.smk"]


def test_the_weights_prefix_stays_one_assignment_per_variable(tmp_path, monkeypatch):
    evil = tmp_path / "a b$(touch pwned)"
    monkeypatch.setattr(weights, "WEIGHTS_CACHE", str(evil))
    monkeypatch.setattr(weights.cache_env, "__defaults__", (str(evil), True))
    prefix = weights.shell_prefix(offline=True)
    shown = subprocess.run(
        ["bash", "-c", f"{prefix} env"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert f"HF_HOME={evil}/huggingface" in shown and f"TORCH_HOME={evil}/torch" in shown
    assert not (tmp_path / "pwned").exists()
