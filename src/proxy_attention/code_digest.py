"""What code a pipeline step runs, and a digest of it: a step's results depend on its code.

A step is a `proxy-attention` subcommand (or a notebook). Its code is the module of its handler
and every package module reachable from the imports the handler makes (and the helpers of its
module that it calls), followed through the package's import graph. The rules put each step's
digest in their params and the runs' stamps carry it, so a change to ``proxy/`` retrains the
proxy runs and what follows them, while a change to ``report/`` retrains nothing. dvc.yaml's
stages list the same files as dependencies (``stage_code_files``).

The digest hashes each module's syntax tree without docstrings (``ast.unparse``), so comments,
docstrings and formatting change nothing; any change to a statement counts, even one that
cannot change a result. Modules under ``cli/`` are followed through their module-level imports
only: each of their handlers imports what it runs inside its body, and another handler's
imports are not this step's code.

Written by hand: import tracers (modulefinder, pydeps) follow a module's top-level imports, or
run the code; this reads the source, follows the package's lazy imports inside functions, and
stays within one handler of a CLI module that holds several.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "proxy_attention"
PACKAGE_DIR = Path(__file__).resolve().parent
CLI = f"{PACKAGE}.cli"
# A control run never calls the proxy step: its code leaves this module (and what only it
# imports) out, so a fix in proxy/images.py retrains the proxy runs, not their controls.
PROXY_STEP = f"{PACKAGE}.proxy.step"
# The checks of a params file can only refuse it (before any job runs), never change what a
# step computes; they reach every source and saliency method, which would tie every step to
# all of data/ and saliency/. The schema's defaults (params.py) do change results: kept.
CHECKS = frozenset({f"{PACKAGE}.params_checks", f"{PACKAGE}.model_checks"})


def module_file(module: str) -> Path | None:
    """The source file of a package module, or None where ``module`` is not one."""
    if module != PACKAGE and not module.startswith(PACKAGE + "."):
        return None
    relative = Path(*module.split(".")[1:])
    for candidate in (PACKAGE_DIR / relative / "__init__.py", PACKAGE_DIR / f"{relative}.py"):
        if candidate.is_file():
            return candidate
    return None


@functools.cache
def _tree(module: str) -> ast.Module:
    path = module_file(module)
    if path is None:
        raise KeyError(f"{module} is not a module of {PACKAGE}")
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if module_file(module).name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _imported(module: str, nodes: Iterable[ast.AST]) -> set[str]:
    """The package modules the import statements among ``nodes`` load, with their parents."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            parts = name.split(".")
            found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return {name for name in found if module_file(name) is not None}


def _imports_of(module: str) -> set[str]:
    if module == CLI:
        return set()  # cli/__init__ registers every subcommand's module: none is this step's
    tree = _tree(module)
    nodes = tree.body if module.startswith(CLI + ".") else ast.walk(tree)
    return _imported(module, nodes)


def closure(roots: Iterable[str], cut: frozenset[str] = CHECKS) -> list[str]:
    """Every package module reachable from ``roots``; the modules in ``cut`` are not entered."""
    seen: set[str] = set()
    todo = [root for root in roots if root not in cut]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo += [found for found in _imports_of(module) if found not in seen | cut]
    return sorted(seen)


def _handler(command: str) -> tuple[str, ast.FunctionDef]:
    """The CLI module and function declared ``@command(<command>, ...)``."""
    for path in sorted((PACKAGE_DIR / "cli").glob("*.py")):
        module = f"{CLI}.{path.stem}"
        for node in _tree(module).body:
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and d.args and getattr(d.args[0], "value", None) == command
                for d in node.decorator_list
            ):
                return module, node
    raise KeyError(f"no subcommand {command!r} in {CLI}")


def handler_roots(command: str) -> set[str]:
    """The handler's module and what the handler, and the module's functions it names, import."""
    module, handler = _handler(command)
    helpers = {n.name: n for n in _tree(module).body if isinstance(n, ast.FunctionDef)}
    roots, todo, visited = {module}, [handler], set()
    while todo:
        function = todo.pop()
        visited.add(function.name)
        body = list(ast.walk(function))
        roots |= _imported(module, body)
        todo += [helpers[name] for name in _free_names(body) & set(helpers) - visited]
    return roots


def _free_names(nodes: list[ast.AST]) -> set[str]:
    """Names a function reads (calls, or passes as a value) that it does not bind itself."""
    read = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {n.arg for n in nodes if isinstance(n, ast.arg)}
    return read - bound


def notebook_roots(notebook: str | Path) -> set[str]:
    """The package modules a notebook's code cells import."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return _imported(PACKAGE, ast.walk(ast.parse(source)))


def step_modules(command: str, control: bool = False) -> list[str]:
    """The package modules subcommand ``command`` runs (for a control run: without the proxy
    step)."""
    return closure(handler_roots(command), CHECKS | {PROXY_STEP} if control else CHECKS)


def normalised_source(source: str) -> str:
    """``source`` without comments, docstrings or formatting: its syntax tree, unparsed."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


@functools.cache
def _module_digest(module: str) -> str:
    source = module_file(module).read_text(encoding="utf-8")
    return hashlib.sha256(normalised_source(source).encode()).hexdigest()


def digest(modules: Iterable[str]) -> str:
    """One short hash of the modules' code (names and syntax trees, not comments)."""
    lines = "".join(f"{module} {_module_digest(module)}\n" for module in sorted(modules))
    return hashlib.sha256(lines.encode()).hexdigest()[:16]


# Cached: a process stamping many results (a bundle job, a simulated grid) asks for the same
# digest once per run, and following the imports costs tens of milliseconds each time.
@functools.cache
def step_digest(command: str, control: bool = False) -> str:
    return digest(step_modules(command, control))


def notebook_digest(notebook: str | Path) -> str:
    return digest(closure(notebook_roots(notebook)))


def is_control(run_id: str) -> bool:
    """Whether a run (or bundle) id names runs with the proxy step off (grid.RunSpec)."""
    return "/proxy~off" in run_id


def run_digest(command: str, run_id: str) -> str:
    """The code of ``command`` (train, explain, ...) for one run or bundle."""
    return step_digest(command, control=command.startswith("train") and is_control(run_id))


def module_paths(modules: Iterable[str], root: Path | None = None) -> list[str]:
    """The source files of ``modules``, relative to ``root`` (the project, by default the
    folder that holds src/)."""
    root = root or PACKAGE_DIR.parents[1]
    return sorted(str(module_file(m).relative_to(root)) for m in modules)


# The steps each stage of dvc.yaml runs through Snakemake (its `cmd` target), by subcommand;
# the report stage also runs every notebook of notebooks/.
DVC_STAGE_STEPS = {
    "data": ("download", "prepare", "split"),
    "runs": ("weights", "train", "train-bundle"),
    "report": ("explain", "explain-bundle", "aggregate", "report", "samples", "gallery",
               "augmentation-costs", "saliency-figures", "dag", "estimate"),
    "metrics": ("metrics",),
    "thesis": ("thesis", "job-costs"),
}  # fmt: skip


def stage_code_files(stage: str, root: Path | None = None) -> list[str]:
    """The package files a dvc.yaml stage's steps run, as its `deps` list them: a folder where
    every file in it is one of them (.dvcignore leaves out __pycache__), else the files."""
    root = root or PACKAGE_DIR.parents[1]
    modules = {m for command in DVC_STAGE_STEPS[stage] for m in step_modules(command)}
    if stage == "report":
        for notebook in sorted(root.glob("notebooks/*.ipynb")):
            modules |= set(closure(notebook_roots(notebook)))
    return _covering(set(module_paths(modules, root)), root)


def _covering(files: set[str], root: Path) -> list[str]:
    def inside(folder: Path) -> list[str]:
        return [
            str(path.relative_to(root))
            for path in folder.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        ]

    folders = sorted({str(Path(f).parent) for f in files}, key=lambda f: f.count("/"))
    whole = [f for f in folders if set(inside(root / f)) <= files]
    top = [f for f in whole if not any(f.startswith(w + "/") for w in whole)]
    rest = [f for f in files if not any(f.startswith(w + "/") for w in top)]
    return sorted([*top, *rest])
