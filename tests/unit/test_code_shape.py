"""The house rules CI enforces: ruff clean (with its size rules), no function in src/ over 60
lines, and none taking more than 8 parameters (values that travel together are one object)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_FUNCTION_LINES = 60
MAX_PARAMETERS = 8
FUNCTIONS = ast.FunctionDef | ast.AsyncFunctionDef


def over(source: str, measure, limit: int) -> list[tuple[str, int]]:
    """(name, measure) of every function or method in ``source`` measuring over ``limit``."""
    functions = [n for n in ast.walk(ast.parse(source)) if isinstance(n, FUNCTIONS)]
    return [(n.name, measure(n)) for n in functions if measure(n) > limit]


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int]]:
    """(name, lines) of every function or method in ``source`` longer than ``limit`` lines."""
    return over(source, lambda node: node.end_lineno - node.lineno + 1, limit)


def test_long_functions_finds_a_long_function_and_passes_a_short_one():
    body = "\n".join(f"    x{i} = {i}" for i in range(60))
    assert long_functions(f"def long():\n{body}\n") == [("long", 61)]
    assert long_functions(f"def short():\n{body[: body.rfind(chr(10))]}\n") == []


def many_parameters(source: str, limit: int = MAX_PARAMETERS) -> list[tuple[str, int]]:
    """(name, parameters) of every function or method in ``source`` taking more than ``limit``
    parameters; ``self`` and ``cls`` count, ``*args`` and ``**kwargs`` count one each."""

    def count(node: ast.FunctionDef) -> int:
        args = node.args
        named = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        return sum(arg is not None for arg in named)

    return over(source, count, limit)


def test_many_parameters_counts_every_kind_of_parameter():
    assert many_parameters("def f(a, /, b, *c, d, **e): pass", limit=4) == [("f", 5)]
    assert many_parameters("def f(a, /, b, *c, d, **e): pass", limit=5) == []
    assert many_parameters("class C:\n    def m(self, a, b): pass", limit=2) == [("m", 3)]


@pytest.mark.parametrize(
    ("finder", "unit"), [(long_functions, "lines"), (many_parameters, "parameters")]
)
def test_no_function_in_src_is_over_60_lines_or_8_parameters(finder, unit):
    offenders = [
        f"{path.relative_to(ROOT)}:{name} ({size} {unit})"
        for path in sorted((ROOT / "src").rglob("*.py"))
        for name, size in finder(path.read_text())
    ]
    assert offenders == []


def ruff() -> list[str]:
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return [str(beside)]
    if shutil.which("ruff"):
        return ["ruff"]
    pytest.fail("ruff is not installed: requirements.lock pins it; run workflow/scripts/setup.sh")


def test_ruff_is_clean_with_its_complexity_and_statement_rules():
    result = subprocess.run(
        [*ruff(), "check", "--no-cache", "src", "tests", "benchmarks", "notebooks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Unit tests about the repository as a whole rather than one module.
REPOSITORY_TESTS = {
    "test_code_shape.py",
    "test_references.py",
    "test_configs.py",
    "test_gpu_check.py",
    "test_shell_quoting.py",  # the rules' shell commands (workflow/rules)
}


def mirrored_module(test_file: Path, package: Path) -> Path | None:
    """The module a unit test file mirrors: tests/unit/<dir>/test_<module>[_topic].py tests
    <package>/<dir>/<module>.py; test_package.py tests the folder's package as a whole."""
    folder = package / test_file.parent
    stem = test_file.stem.removeprefix("test_")
    if stem == "package" and (folder / "__init__.py").exists():
        return folder / "__init__.py"
    modules = sorted(folder.glob("*.py"), key=lambda p: -len(p.stem))
    return next((m for m in modules if stem == m.stem or stem.startswith(m.stem + "_")), None)


def test_mirrored_module_maps_a_test_file_to_its_module():
    package = ROOT / "src" / "proxy_attention"
    assert mirrored_module(Path("report/test_build_sections.py"), package) == (
        package / "report" / "build.py"
    )
    assert mirrored_module(Path("report/test_no_such_module.py"), package) is None


def test_unit_test_files_mirror_the_modules_they_test():
    unit = ROOT / "tests" / "unit"
    package = ROOT / "src" / "proxy_attention"
    orphans = [
        str(path.relative_to(unit))
        for path in sorted(unit.rglob("test_*.py"))
        if path.name not in REPOSITORY_TESTS
        and mirrored_module(path.relative_to(unit), package) is None
    ]
    assert orphans == []
