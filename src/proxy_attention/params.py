"""Load params.yaml, validate it against the schema and fill defaults, with named errors."""

from __future__ import annotations

import copy
import hashlib
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from proxy_attention.errors import UserError
from proxy_attention.model_checks import check_models
from proxy_attention.params_checks import CheckFailed, check_finite, check_values

# Shipped inside the package (package-data), so a non-editable install finds it too.
SCHEMA = resources.files("proxy_attention") / "schemas" / "params.schema.yaml"


class ParamsError(UserError, ValueError):
    """A params.yaml problem a user can fix; the message names key, value and what is allowed."""


def load_schema(path: str | os.PathLike | None = None) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text() if path else SCHEMA.read_text())


def load_params(path: str | os.PathLike = "params.yaml") -> dict[str, Any]:
    """Read, validate and default-fill a params file; raise ParamsError on the first problem."""
    path = Path(path)
    raw = _read_yaml(path)
    params = validate_params(raw, source=str(path))
    try:
        check_models(params)
    except CheckFailed as exc:
        raise ParamsError(f"{path}: {exc}") from None
    return params


# A params file is a few hundred values; YAML aliases can make a 1 KB file stand for 10^9
# (a "billion laughs"), which every later walk over the params would expand.
MAX_VALUES = 100_000


def _read_yaml(path: Path) -> Any:
    """The params file parsed, or one ParamsError line: not a file, not text, not YAML, or
    aliases expanding past MAX_VALUES."""
    if not path.exists():
        raise ParamsError(f"{path}: no such params file")
    if not path.is_file():
        raise ParamsError(f"{path}: not a params file but a folder; name the YAML file in it")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ParamsError(f"{path}: not a text file (not UTF-8); name a YAML params file") from None
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}{_yaml_problem(exc)}") from None
    if _expands_past(raw, MAX_VALUES):
        raise ParamsError(
            f"{path}: its YAML aliases (*name) expand to more than {MAX_VALUES} values; "
            "write the values out or use fewer nested aliases"
        )
    return raw


def _expands_past(value: Any, limit: int) -> bool:
    """Whether ``value``, its aliases expanded, holds more than ``limit`` values; stops as soon
    as it does (the walk is iterative: a deep alias chain cannot overflow the stack)."""
    stack, count = [value], 0
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key given twice is an error: plain YAML keeps the
    last value silently, so a pasted second ``lr:`` would override the first unseen."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *base`: keys given after it
                continue  # override the merged ones, as YAML means them to
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}; keep one of them", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """``:line:column: not valid YAML: problem`` on one line (PyYAML's message has five)."""
    mark = getattr(exc, "problem_mark", None)
    where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    detail = f"{problem} ({context})" if context else problem
    return f"{where}: not valid YAML: {detail}"


def validate_params(raw: Any, source: str = "params.yaml") -> dict[str, Any]:
    schema = load_schema()
    params = copy.deepcopy(raw) if raw is not None else {}
    try:
        check_finite(params)  # before the schema: its bounds say less about NaN than this
    except CheckFailed as exc:
        raise ParamsError(f"{source}: {exc}") from None
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(params),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    if errors:
        raise ParamsError(f"{source}: {describe_error(errors[0])}")
    _fill_defaults(params, schema, schema)
    _check_references(params, source)
    return params


def describe_error(error: jsonschema.ValidationError) -> str:
    """One line: the key, the offending value and what the schema allows."""
    key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    kind = error.validator
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        unknown = sorted(set(value) - set(allowed)) if isinstance(value, dict) else []
        where = f"{key}." if error.absolute_path else ""
        return f"unknown key {where}{unknown[0] if unknown else '?'}; allowed keys: {allowed}"
    if kind == "required":
        return f"{key}: {error.message}"
    if kind == "enum":
        return f"{key} = {value!r} is not allowed; choose one of {schema['enum']}"
    if kind == "type":
        return f"{key} = {value!r} has the wrong type; expected {schema['type']}"
    bounds = {
        "minimum": ">=",
        "maximum": "<=",
        "exclusiveMinimum": ">",
        "exclusiveMaximum": "<",
    }
    if kind in bounds:
        return f"{key} = {value!r} is out of range; must be {bounds[kind]} {error.validator_value}"
    if kind in ("oneOf", "anyOf"):
        return f"{key} = {value!r} is not allowed here; {_describe_alternatives(schema)}"
    return f"{key} = {value!r}: {error.message}"


def _describe_alternatives(schema: dict[str, Any]) -> str:
    description = schema.get("description")
    alternatives = schema.get("anyOf") or schema.get("oneOf") or []
    choices = [value for alternative in alternatives for value in alternative.get("enum", [])]
    if choices:  # e.g. an augmentation: a name, or a chain its description explains
        return f"choose one of {choices}" + (f" or {description}" if description else "")
    return f"expected {description}" if description else "see `proxy-attention describe-params`"


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref and ref.startswith("#/"):
        target = root
        for part in ref[2:].split("/"):
            target = target[part]
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _fill_defaults(value: Any, node: dict[str, Any], root: dict[str, Any]) -> None:
    node = _resolve(node, root)
    if not isinstance(value, dict):
        return
    for key, sub in node.get("properties", {}).items():
        sub = _resolve(sub, root)
        if key not in value and "default" in sub:
            value[key] = copy.deepcopy(sub["default"])
        if key in value:
            _fill_defaults(value[key], sub, root)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        for key in set(value) - set(node.get("properties", {})):
            _fill_defaults(value[key], extra, root)


def _check_references(params: dict[str, Any], source: str) -> None:
    """Cross-key checks a JSON schema cannot express."""
    for name in params["grid"]["datasets"]:
        if name not in params["datasets"]:
            raise ParamsError(
                f"{source}: grid.datasets = {name!r} is not defined; "
                f"choose one of {sorted(params['datasets'])} or add it under datasets"
            )
    for name, cfg in params["datasets"].items():
        if cfg["source"] == "folder" and not (cfg.get("path") or cfg.get("url")):
            raise ParamsError(
                f"{source}: datasets.{name}.path (a folder or archive) or datasets.{name}.url"
                " is required for source 'folder'"
            )
    split = params["split"]
    if split["val_fraction"] + split["test_fraction"] >= 1:
        raise ParamsError(
            f"{source}: split.val_fraction + split.test_fraction = "
            f"{split['val_fraction'] + split['test_fraction']} must be < 1"
        )
    _check_leak_check(params["grid"].get("leak_check") or {}, source)
    try:
        check_values(params)
    except CheckFailed as exc:
        raise ParamsError(f"{source}: {exc}") from None
    _check_explain_and_figures(params, source)


def _check_leak_check(leak: dict[str, Any], source: str) -> None:
    """Twins measure the leak only where a re-drawn split is validated after two rounds."""
    if not leak:
        return
    missing = [key for key in ("augmentations", "schedules") if key not in leak]
    if missing:
        raise ParamsError(
            f"{source}: grid.leak_check needs {' and '.join(missing)}; "
            "give both, or remove grid.leak_check"
        )
    for schedule in leak["schedules"]:
        rounds = [i for i, item in enumerate(schedule) if item == "p"]
        if len(rounds) < 2 or rounds[-1] == len(schedule) - 1:
            raise ParamsError(
                f"{source}: grid.leak_check schedule {schedule} needs two or more p and an "
                "epoch after the last p (validation on a re-drawn split), e.g. [1, p, p, 1]"
            )


def _check_explain_and_figures(params: dict[str, Any], source: str) -> None:
    """explain.method must not grade the proxy method; resolve and check figures.pairs."""
    from proxy_attention.grid import expand_grid  # grid imports nothing from here; keep it lazy

    try:
        runs = expand_grid(params)
    except ValueError as exc:  # two grid entries that give one run id
        raise ParamsError(f"{source}: {exc}") from None
    trained = {spec.proxy.method for spec in runs if spec.proxy is not None}
    method = params["explain"]["method"]
    if method in trained:
        raise ParamsError(
            f"{source}: explain.method = {method!r} is also a proxy method of the grid "
            f"(grid.proxy.methods); evaluate with a different method, e.g. "
            f"{'gradcam' if method == 'eigengradcam' else 'eigengradcam'}"
        )
    proxy_runs = [spec.run_id for spec in runs if spec.proxy is not None]
    pairs = params["figures"]["pairs"]
    if pairs is None:
        params["figures"]["pairs"] = proxy_runs[:1]
        return
    if not pairs:
        raise ParamsError(
            f"{source}: figures.pairs = [] lists no pair; list proxy run ids "
            "(`proxy-attention runs`) or remove the key to draw the grid's first proxy run"
        )
    for pair in pairs:
        if pair not in proxy_runs:
            what = (
                "a control run, not a proxy run"
                if any(spec.run_id == pair for spec in runs)
                else "not in the grid"
            )
            raise ParamsError(
                f"{source}: figures.pairs entry {pair!r} is {what}; choose proxy run ids of "
                f"the grid, e.g. {proxy_runs[:2]}"
            )


def iter_schema_keys(
    node: dict[str, Any] | None = None, root: dict[str, Any] | None = None, prefix: str = ""
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Walk the schema's documented keys as (dotted key, schema node), for docs and the thesis."""
    root = root or load_schema()
    node = _resolve(node or root, root)
    for key, sub in node.get("properties", {}).items():
        sub = _resolve(sub, root)
        dotted = f"{prefix}{key}"
        yield dotted, sub
        yield from iter_schema_keys(sub, root, dotted + ".")
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        yield from iter_schema_keys(extra, root, f"{prefix}<name>.")


def params_hash(path: str | os.PathLike) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
