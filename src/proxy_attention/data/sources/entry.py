"""A dataset entry of params.yaml as the schema fills it: its defaults come from there only."""

from __future__ import annotations

import copy
from typing import Any

from proxy_attention.params import load_schema


def with_defaults(cfg: dict[str, Any]) -> dict[str, Any]:
    """``cfg`` with every key the schema's dataset entry defaults and cfg leaves out filled.

    load_params has already filled them for params.yaml; this serves entries built in code
    (benchmarks, tests), so no module restates a default.
    """
    fields = load_schema()["properties"]["datasets"]["additionalProperties"]["properties"]
    defaults = {key: field["default"] for key, field in fields.items() if "default" in field}
    return {**copy.deepcopy(defaults), **cfg}
