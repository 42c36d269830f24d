"""The package works as a plain (non-editable) install, away from the checkout: the schema ships
inside it, the entry point runs from another folder, and pyproject's dependencies resolve offline
against the packages set-up installed from requirements.lock."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

from packaging.requirements import Requirement

from proxy_attention.grid import expand_grid
from proxy_attention.params import load_params

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = "proxy_attention/schemas/params.schema.yaml"


def run(*command: str | Path, cwd: Path) -> str:
    # No PYTHONPATH: the checkout's src/ must not stand in for the installed package. No pip
    # configuration either (a machine's find-links or index): only installed packages count.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
    return done.stdout


def build_wheel(tmp_path: Path) -> Path:
    """A wheel built from a copy of the sources, so the checkout gets no build/ or egg-info."""
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run(*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-w",
        tmp_path / "wheels", source, cwd=tmp_path)  # fmt: skip
    (wheel,) = (tmp_path / "wheels").glob("proxy_attention-*.whl")
    return wheel


def venv_seeing_the_lock(tmp_path: Path) -> Path:
    """A fresh venv whose site-packages lists this venv's as a fallback (a .pth of plain paths:
    the editable install's own .pth there is not run), so the locked packages are there without
    downloading or copying gigabytes of torch."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    site = run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
    )
    shared = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (Path(site.strip()) / "locked_packages.pth").write_text("\n".join(shared) + "\n")
    return python


def test_a_non_editable_install_describes_and_validates_params_away_from_the_checkout(tmp_path):
    wheel = build_wheel(tmp_path)
    assert SCHEMA in zipfile.ZipFile(wheel).namelist()
    python = venv_seeing_the_lock(tmp_path)
    # Offline, dependencies included: each must be satisfied by what set-up installed.
    run(sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", python,
        "install", "-q", "--no-index", wheel, cwd=tmp_path)  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run(
        python, "-c", "import proxy_attention; print(proxy_attention.__file__)", cwd=elsewhere
    )
    assert Path(where.strip()).is_relative_to(tmp_path / "venv")
    tool = python.parent / "proxy-attention"
    described = run(tool, "describe-params", cwd=elsewhere)
    assert "\nexplain.target\n    class the maps explain" in described
    assert "    allowed: predicted, true\n    default: predicted\n" in described
    validated = run(tool, "validate", "--params", ROOT / "params.yaml", cwd=elsewhere)
    runs = len(expand_grid(load_params(ROOT / "params.yaml")))
    assert validated == f"{ROOT / 'params.yaml'}: valid; {runs} runs\n"


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"]]


def locked() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    pins = [line.split("==") for line in lines if "==" in line and not line.startswith("#")]
    return {_normal(name): version.strip() for name, version in pins}


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def test_every_declared_dependency_is_pinned_in_the_lock_within_its_bound():
    pins = locked()
    for requirement in declared():
        name = _normal(requirement.name)
        assert name in pins, f"{name} is declared in pyproject.toml but not pinned in the lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            requirement,
            pins[name],
        )


def test_every_package_src_imports_is_declared():
    distributions = importlib.metadata.packages_distributions()
    names = {_normal(r.name) for r in declared()}
    for path in sorted((ROOT / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top == "proxy_attention":
                    continue
                owners = {_normal(d) for d in distributions.get(top, [top])}
                assert owners & names, f"{path.relative_to(ROOT)} imports {top}: declare it"
