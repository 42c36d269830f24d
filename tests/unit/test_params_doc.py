"""`proxy-attention describe-params`: every key with its meaning, allowed values and default."""

from proxy_attention.cli import main
from proxy_attention.params import iter_schema_keys, load_schema
from proxy_attention.params_doc import ParamDoc, allowed, describe_keys, describe_params_text

SMALL = {
    "$defs": {"share": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}},
    "type": "object",
    "required": ["split"],
    "properties": {
        "split": {
            "type": "object",
            "required": ["val"],
            "properties": {
                "val": {"$ref": "#/$defs/share", "description": "validation share"},
                "shuffle": {"type": "boolean", "default": False, "description": "shuffle"},
            },
        },
        "sets": {
            "type": "object",
            "description": "by name",
            "additionalProperties": {
                "type": "object",
                "required": ["kind"],
                "properties": {
                    "kind": {"enum": ["a", "b"], "description": "what it is"},
                    "seed": {"type": ["integer", "null"], "minimum": 0, "default": None},
                },
            },
        },
    },
}


def block(text: str, key: str) -> list[str]:
    """The lines of one key's block in describe-params' output."""
    blocks = [b.splitlines() for b in text.split("\n\n")]
    return next(b for b in blocks if b[0] == key)


def test_the_walk_gives_meaning_allowed_default_and_required_of_each_key():
    assert describe_keys(SMALL) == [
        ParamDoc("split", "", "mapping: the keys below", "none (required)", True),
        ParamDoc("split.val", "validation share", "number (> 0, < 1)", "none (required)", False),
        ParamDoc("split.shuffle", "shuffle", "boolean", "false", False),
        ParamDoc("sets", "by name", "mapping: the keys below", "none (optional)", True),
        ParamDoc("sets.<name>.kind", "what it is", "a, b", "none (required)", False),
        ParamDoc("sets.<name>.seed", "", "integer or null (>= 0)", "null", False),
    ]


def test_describe_params_prints_every_key_of_the_schema_once_in_order(capsys):
    assert main(["describe-params"]) == 0
    out = capsys.readouterr().out
    keys = [b.splitlines()[0] for b in out.split("\n\n")[1:]]
    assert keys == [key for key, _ in iter_schema_keys(root=load_schema())]
    assert len(keys) > 80 and max(len(line) for line in out.splitlines()) <= 100


def test_describe_params_shows_defaults_enums_and_descriptions():
    text = describe_params_text()
    assert block(text, "explain.target") == [
        "explain.target",
        "    class the maps explain: the model's prediction or the true label",
        "    allowed: predicted, true",
        "    default: predicted",
    ]
    assert block(text, "train.batch_size")[-2:] == [
        "    allowed: integer (>= 1, <= 65536) or auto",
        "    default: none (required)",
    ]
    assert block(text, "datasets.<name>.max_bad_fraction") == [
        "datasets.<name>.max_bad_fraction",
        "    prepare fails when more than this fraction of files is unreadable",
        "    allowed: number (>= 0, <= 1)",
        "    default: 0.01",
    ]
    assert block(text, "datasets.<name>.path")[-1] == "    default: none (optional)"
    # Written as in params.yaml: false, not Python's False.
    assert "    default: false" in block(text, "train.resplit_each_round")


def test_long_lines_wrap_at_spaces_and_keep_values_whole():
    source = block(describe_params_text(), "datasets.<name>.source")
    assert source[2].startswith("    allowed: digits, cifar100, stanford_dogs,")
    assert source[3].startswith("      ") and source[3].strip().endswith("folder")
    root = load_schema()
    listed = allowed(root["properties"]["datasets"]["additionalProperties"]["properties"]["source"])
    assert " ".join(line.strip() for line in source[2:4]) == f"allowed: {listed}"
