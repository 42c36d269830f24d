"""The source registry: one Source entry is all a dataset source takes."""

import numpy as np
import pytest
from PIL import Image

from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.sources import (
    SOURCES,
    UnknownSource,
    download_source,
    get_source,
    prepare_source,
    registry,
)
from proxy_attention.data.sources.entry import with_defaults
from proxy_attention.data.sources.spec import Item, Listing, Source
from proxy_attention.params import load_schema

ENTRY = load_schema()["properties"]["datasets"]["additionalProperties"]["properties"]


def test_schema_enum_lists_the_registry_in_order():
    assert ENTRY["source"]["enum"] == list(SOURCES)


def test_a_registered_source_is_listed_decoded_and_prepared(monkeypatch, tmp_path):
    seen = []

    def list_stripes(roots, cfg):
        seen.append((dict(roots), cfg["seed"]))
        items = [Item(f"{label}/{i}", label, None) for label in (0, 1) for i in range(4)]
        grey = {0: 40, 1: 200}
        return Listing(
            ["dark", "light"], items, lambda item: Image.new("L", (6, 3), grey[item.label])
        )

    folder = tmp_path / "stripes"
    folder.mkdir()
    toy = Source("stripes", "test stripes", list_images=list_stripes, local_path=lambda cfg: folder)
    monkeypatch.setitem(registry.SOURCES, "stripes", toy)
    cfg = {"source": "stripes", "image_size": 4, "max_per_class": 3}
    assert download_source(cfg, tmp_path / "raw") == tmp_path / "raw"  # nothing to fetch
    data = open_prepared(prepare_source(cfg, tmp_path / "raw", tmp_path / "prepared"))
    assert seen == [({"path": folder}, 0)]  # a local folder is read in place, seed from schema
    assert data.classes == ["dark", "light"] and np.bincount(data.labels).tolist() == [3, 3]
    assert data.images.shape == (6, 4, 4, 3)
    assert sorted(np.unique(data.images[data.labels == 1]).tolist()) == [200]


def test_a_source_that_prepares_itself_skips_listing(monkeypatch, tmp_path):
    calls = []

    def prepare(cfg, out_dir):
        calls.append((cfg["fraction"], cfg["max_bad_fraction"], out_dir))
        return out_dir

    toy = Source("made", "made in code", prepare=prepare)
    monkeypatch.setitem(registry.SOURCES, "made", toy)
    out = prepare_source({"source": "made", "image_size": 8}, tmp_path / "raw", tmp_path / "p")
    assert out == tmp_path / "p" and calls == [(None, 0.01, tmp_path / "p")]


def test_unknown_source_names_every_choice():
    with pytest.raises(UnknownSource) as caught:
        get_source({"source": "mnist"})
    message = str(caught.value)
    assert "'mnist'" in message and all(name in message for name in SOURCES)


def test_defaults_come_from_the_schema_and_never_override_the_entry():
    filled = with_defaults({"source": "digits", "image_size": 8, "seed": 5})
    assert filled["seed"] == 5
    expected = {key: field["default"] for key, field in ENTRY.items() if "default" in field}
    assert {key: filled[key] for key in expected} == {**expected, "seed": 5}
    assert expected["download_retries"] == 3 and expected["checksums"] == {}
    filled["checksums"]["x"] = "md5:0"  # a copy: the schema's default is not shared
    assert with_defaults({})["checksums"] == {}
