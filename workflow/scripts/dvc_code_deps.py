"""Rewrite the src/ deps of every dvc.yaml stage to the package files its steps run
(proxy_attention.code_digest.stage_code_files), keeping every other line as it is.

    .venv/bin/python workflow/scripts/dvc_code_deps.py

Run it after a change to the package's imports, when tests/unit/test_code_digest.py says so.
"""

from __future__ import annotations

import re
from pathlib import Path

from proxy_attention.code_digest import DVC_STAGE_STEPS, stage_code_files

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_FILE = "src/proxy_attention/"
KEPT = ("src/proxy_attention/schemas",)  # package data a rule declares as an input


def rewrite(text: str) -> str:
    for stage in DVC_STAGE_STEPS:
        block = re.search(
            rf"\n  {stage}:\n    cmd: [^\n]*\n    deps:\n((?:      - [^\n]*\n)+)", text
        )
        if block is None:
            raise SystemExit(f"dvc.yaml has no stage {stage!r} with a deps list")
        deps = [line.removeprefix("      - ") for line in block[1].splitlines()]
        first = next((i for i, d in enumerate(deps) if d.startswith(PACKAGE_FILE)), len(deps))
        others = [d for d in deps if not d.startswith(PACKAGE_FILE) or d in KEPT]
        code = stage_code_files(stage, ROOT)
        deps = [*others[:first], *code, *others[first:]]
        lines = "".join(f"      - {dep}\n" for dep in deps)
        text = text[: block.start(1)] + lines + text[block.end(1) :]
    return text


if __name__ == "__main__":
    path = ROOT / "dvc.yaml"
    path.write_text(rewrite(path.read_text()))
    print(f"{path}: src/ deps of {len(DVC_STAGE_STEPS)} stages rewritten")
