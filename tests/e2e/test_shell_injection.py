"""A params file or a path that holds shell code runs no code: the rules quote every value
(issue 26; tests/unit/test_shell_quoting.py checks every rule's command line)."""

import shutil

import pytest
import yaml

from proxy_attention import layout
from proxy_attention.report.latex import escape
from tests.e2e.conftest import run

pytestmark = pytest.mark.e2e


def _planted(project):
    """Every file the injected ``touch`` would have made, anywhere in the project."""
    return sorted(str(p.relative_to(project)) for p in project.rglob("pwned*"))


def test_a_config_path_with_shell_code_is_only_a_name(tiny_project):
    name = "x$(touch pwned-config).yaml"
    shutil.copy(tiny_project / "params.yaml", tiny_project / name)
    manifest = layout.RAW_MANIFEST.format(dataset="digits")
    run(["snakemake", "--cores", "1", manifest, "--configfile", name], tiny_project)
    assert (tiny_project / manifest).is_file()  # the job ran, with the file's real name
    assert _planted(tiny_project) == []


def test_a_report_estimate_with_shell_code_is_only_a_name(tiny_project):
    name = "e$(touch pwned-estimate).yaml"
    params = yaml.safe_load((tiny_project / "params.yaml").read_text())
    shutil.copy(tiny_project / "params.yaml", tiny_project / name)
    params["report"]["estimate"] = name
    (tiny_project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    run(["snakemake", "--cores", "1", layout.ESTIMATE_TEX], tiny_project)
    # the step read the file under its real name, and names it in the thesis
    assert escape(name) in (tiny_project / layout.ESTIMATE_TEX).read_text()
    assert _planted(tiny_project) == []
