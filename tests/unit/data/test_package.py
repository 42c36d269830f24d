"""The data package stands alone: nothing under data/ imports proxy/ (no folder-level cycle)."""

import ast
from pathlib import Path

import proxy_attention.data

DATA = Path(proxy_attention.data.__file__).parent


def imported_modules(path: Path, root: Path = DATA.parent.parent) -> set[str]:
    """Every module ``path`` imports, relative imports resolved against its package."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_imported_modules_sees_absolute_and_relative_imports(tmp_path):
    # The walker itself must see both spellings, or the test below could never fail.
    module = DATA / "sources" / "spec.py"
    names = imported_modules(module)
    assert "proxy_attention.data.sources.errors.SourceError" in names
    fake = tmp_path / "proxy_attention" / "data" / "sources" / "probe.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from ...proxy import overlay\nimport proxy_attention.proxy.images\n")
    assert {"proxy_attention.proxy.overlay", "proxy_attention.proxy.images"} <= (
        imported_modules(fake, tmp_path)
    )


def test_no_module_under_data_imports_proxy():
    offenders = {
        str(path.relative_to(DATA)): sorted(
            name for name in imported_modules(path) if name.startswith("proxy_attention.proxy")
        )
        for path in sorted(DATA.rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}
    assert len(offenders) >= 10  # the walk really covered the package and its sources/
