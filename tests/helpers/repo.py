"""The repository's root, for tests that read its files (params.yaml, the rules, the docs)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
