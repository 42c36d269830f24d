"""Out of memory ends in one line naming batch_size, not an allocator traceback."""

from __future__ import annotations

import pytest
import torch

from proxy_attention.cli import main
from tests.unit.test_disk import replace_handler


def _allocate_too_much(args):
    torch.empty(2**50, dtype=torch.uint8)  # a petabyte: the CPU allocator refuses


def _cuda_out_of_memory(args):
    raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB (GPU 0)")


@pytest.mark.parametrize(
    ("handler", "where"),
    [(_allocate_too_much, "the CPU (main memory)"), (_cuda_out_of_memory, "the GPU")],
    ids=["cpu", "gpu"],
)
def test_out_of_memory_is_one_line_naming_batch_size(monkeypatch, capsys, handler, where):
    replace_handler(monkeypatch, "runs", handler)
    assert main(["runs"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: out of memory on {where} (")
    assert "lower train.batch_size (or set it to auto)" in err
    assert "\n" not in err and "Traceback" not in err


def test_other_runtime_errors_still_raise(monkeypatch):
    def broken(args):
        raise RuntimeError("a bug")

    replace_handler(monkeypatch, "runs", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["runs"])
