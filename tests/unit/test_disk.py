"""A full disk, a read-only folder or torch's failed write end in one line, nothing half-written."""

from __future__ import annotations

import dataclasses
import errno
import os

import pytest

from proxy_attention import atomic
from proxy_attention.cli import COMMANDS, main

FIXES = [
    (errno.ENOSPC, "no space left on the device; free space there and rerun"),
    (errno.EROFS, "the file system is read-only; make it writable"),
    (errno.EACCES, "permission denied; make it writable for this user"),
    (errno.EDQUOT, "disk quota exceeded"),
]


@pytest.mark.parametrize(("code", "fix"), FIXES, ids=["full", "read-only", "denied", "quota"])
def test_a_disk_fault_in_a_step_is_one_line_and_leaves_no_file(
    toy_dataset, tmp_path, monkeypatch, capsys, code, fix
):
    prepared, _ = toy_dataset
    out = tmp_path / "splits" / "digits.npz"

    def refuse(source, target):  # what the kernel answers when the rename needs a block
        raise OSError(code, os.strerror(code), str(target))

    monkeypatch.setattr(atomic.os, "replace", refuse)
    argv = ["split", "--dataset", "digits", "--prepared", str(prepared), "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: cannot write {out}: {fix}" + err.split(fix, 1)[1]
    assert "\n" not in err and "Traceback" not in err
    assert sorted(p.name for p in out.parent.iterdir()) == []  # no temporary file either


def test_torch_s_write_failure_is_named_too(monkeypatch, capsys):
    def handler(args):
        raise RuntimeError(
            "[enforce fail at inline_container.cc:595] . PytorchStreamWriter failed writing "
            "file data/3: file write failed"
        )

    replace_handler(monkeypatch, "runs", handler)
    assert main(["runs"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: a file write failed (torch: disk full or not writable)")
    assert err.count("\n") == 1


def test_other_errors_still_raise(monkeypatch):
    def handler(args):
        raise RuntimeError("a bug, not a disk")

    replace_handler(monkeypatch, "runs", handler)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["runs"])


def replace_handler(monkeypatch, name, handler):
    """Run ``handler`` for ``proxy-attention <name>``: main builds its parser from COMMANDS."""
    monkeypatch.setitem(COMMANDS, name, dataclasses.replace(COMMANDS[name], handler=handler))
