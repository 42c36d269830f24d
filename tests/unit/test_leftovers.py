"""Temporary folders a killed write left are removed by the next run of the same step."""

from __future__ import annotations

from proxy_attention.atomic import atomic_dir, remove_leftovers


def test_atomic_dir_removes_what_a_killed_attempt_left(tmp_path):
    left = tmp_path / ".prepared.k3j_9a0z"
    left.mkdir()
    (left / "images.npy").write_bytes(b"half")
    others = [tmp_path / ".prepared.mine", tmp_path / ".prepared2.k3j_9a0z", tmp_path / "x"]
    for folder in others:
        folder.mkdir()
    with atomic_dir(tmp_path / "prepared") as tmp:
        (tmp / "meta.json").write_text("{}")
    assert not left.exists()
    assert all(folder.exists() for folder in others)  # not atomic_dir's names for this path
    assert (tmp_path / "prepared" / "meta.json").read_text() == "{}"


def test_tagged_leftovers_only_with_their_tag(tmp_path):
    extraction = tmp_path / ".prepared.x-ab12cd34"
    extraction.mkdir()
    assert remove_leftovers(tmp_path / "prepared") == []
    assert remove_leftovers(tmp_path / "prepared", tag="x-") == [extraction]
    assert not extraction.exists()
