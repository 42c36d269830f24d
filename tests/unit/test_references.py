"""Every file the code and the docs point to exists in the repository, and none points outside."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "proxy_attention"
# A repository path: at least one folder, ending in a file type the project keeps.
REFERENCE = re.compile(
    r"(?<![\w./{<-])((?:\.\./)*[A-Za-z_][\w.-]*(?:/[\w.-]+)+"
    r"\.(?:tex\.j2|py|md|tex|yaml|yml|smk|rst|ipynb|sh|toml|lock|bib|zip))\b"
)
# What a build writes: absent from a clone, present after `snakemake`.
BUILT = (
    "thesis/generated/",
    "thesis/build/",
    "data/runs",
    "data/results",
    "data/raw",
    "data/prepared",
    "data/splits",
    "data/explain",
    "data/figures",
    "data/cache",
    "data/report",
    "metrics/",
    "logs/",
)
OUTSIDE_ALLOWED: set[str] = set()  # nothing in the repository points outside it


def tracked_files() -> list[Path]:
    listing = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in listing if (ROOT / name).is_file()]


def references(text: str) -> list[str]:
    return [match.group(1) for match in REFERENCE.finditer(text)]


def resolves(reference: str, source: Path) -> bool:
    if reference.startswith(BUILT):
        return True
    bases = (ROOT, PACKAGE, source.parent, ROOT / "thesis")
    return any((base / reference).exists() for base in bases)


def test_references_finds_paths_and_skips_prose():
    text = "see `report/leak.py` and docs/architecture.md, not e.g. a/b or 3.5/2.0"
    assert references(text) == ["report/leak.py", "docs/architecture.md"]
    assert not resolves("report/no_such_module.py", ROOT / "README.md")
    assert resolves("report/leak.py", ROOT / "README.md")


def test_every_referenced_file_exists():
    missing = [
        f"{path.relative_to(ROOT)}: {reference}"
        for path in tracked_files()
        if (
            path.suffix in {".py", ".md", ".smk", ".tex", ".yaml", ".rst", ".sh", ".toml"}
            or path.name == "Snakefile"
        )
        and not path.relative_to(ROOT).as_posix().startswith("tests/")
        for reference in references(path.read_text(errors="ignore"))
        if not resolves(reference, path)
    ]
    assert missing == []


def test_nothing_points_outside_the_repository():
    outside = [
        path.relative_to(ROOT).as_posix()
        for path in tracked_files()
        if path.suffix in {".py", ".md", ".smk", ".tex", ".yaml", ".sh", ".toml"}
        and path.relative_to(ROOT).as_posix() not in OUTSIDE_ALLOWED
        and path.resolve() != Path(__file__).resolve()
        and re.search(r"\.\./shared|DESIGN\.md", path.read_text(errors="ignore"))
    ]
    assert outside == []
