"""Every params key documented from the schema: one walk of the schema (``describe_keys``),
rendered as text by ``proxy-attention describe-params`` and as the thesis' parameter table
(report/build.py ``hyperparameter_table``)."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from typing import Any

from proxy_attention.params import _resolve, iter_schema_keys, load_schema

BOUNDS = (
    ("minimum", ">="),
    ("exclusiveMinimum", ">"),
    ("maximum", "<="),
    ("exclusiveMaximum", "<"),
)
REQUIRED = "none (required)"
UNSET = "none (optional)"
WIDTH = 100


@dataclass(frozen=True)
class ParamDoc:
    """One key: its dotted path (``<name>`` stands for every entry of a mapping), its meaning,
    what it allows and its default, the last two in words as a params file writes them."""

    key: str
    meaning: str
    allowed: str
    default: str
    is_mapping: bool


def describe_keys(root: dict[str, Any] | None = None) -> list[ParamDoc]:
    """Every key of the schema, parents before their children, in the schema's order."""
    root = root or load_schema()
    required: dict[str, set[str]] = {}
    _note_required(required, "", root, root)
    docs = []
    for key, node in iter_schema_keys(root=root):
        _note_required(required, key, node, root)
        parent, _, name = f".{key}".rpartition(".")
        is_mapping = node.get("type") == "object"
        docs.append(
            ParamDoc(
                key=key,
                meaning=node.get("description", ""),
                allowed="mapping: the keys below" if is_mapping else allowed(node, root),
                default=_default(node, name in required.get(parent[1:], set())),
                is_mapping=is_mapping,
            )
        )
    return docs


def _note_required(
    required: dict[str, set[str]], key: str, node: dict[str, Any], root: dict[str, Any]
) -> None:
    """The required names of ``key``'s children, and of its entries' (``key.<name>``)."""
    required[key] = set(node.get("required", []))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        entry = f"{key}.<name>" if key else "<name>"
        required[entry] = set(_resolve(extra, root).get("required", []))


def _default(node: dict[str, Any], is_required: bool) -> str:
    if "default" in node:
        return yaml_text(node["default"])
    return REQUIRED if is_required else UNSET


def yaml_text(value: Any) -> str:
    """A value as a params file writes it: true and null, not Python's True and None."""
    return json.dumps(value).strip('"')


def allowed(node: dict[str, Any], root: dict[str, Any] | None = None) -> str:
    """What a schema node allows, in words: enum values, each oneOf/anyOf alternative, the
    type with its bounds."""
    root = root or load_schema()
    node = _resolve(node, root)
    if "const" in node:
        return yaml_text(node["const"])
    if "enum" in node:
        return ", ".join(yaml_text(v) for v in node["enum"])
    if "pattern" in node and node.get("description"):  # a pattern says nothing to a reader
        return node["description"]
    alternatives = node.get("oneOf") or node.get("anyOf")
    if alternatives:
        return " or ".join(allowed(alt, root) for alt in alternatives)
    if node.get("type") == "array" and node.get("items"):
        return "list of: " + allowed(node["items"], root)
    kinds = node.get("type", [])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    text = " or ".join(str(k) for k in kinds) or "see the schema"
    bounds = [f"{sym} {node[k]}" for k, sym in BOUNDS if k in node]
    return text + (f" ({', '.join(bounds)})" if bounds else "")


def describe_params_text(root: dict[str, Any] | None = None) -> str:
    """Every key as a block: the dotted key, then its meaning, allowed values and default."""
    lines = [
        "Every key of params.yaml, from the schema the package ships;",
        "<name> stands for each entry of a mapping (e.g. each dataset).",
    ]
    for doc in describe_keys(root):
        lines += ["", doc.key]
        for field in (doc.meaning, f"allowed: {doc.allowed}", f"default: {doc.default}"):
            if field:
                lines += _wrap(field)
    return "\n".join(lines) + "\n"


def _wrap(text: str) -> list[str]:
    # Break at spaces only: a value such as `gradcam-pp` or a URL must stay whole.
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent="    ",
        subsequent_indent="      ",
        break_long_words=False,
        break_on_hyphens=False,
    )
