"""cli/run_steps.py: the folder train writes, from --out or from the files a rule declares."""

import argparse
from pathlib import Path

import pytest

from proxy_attention.cli.run_steps import run_folder
from proxy_attention.errors import UserError

RUN = Path("data/runs/digits/m/aug~basic/proxy~off-e6/seed~0")


def args(out=None, metrics=None, checkpoint=None) -> argparse.Namespace:
    return argparse.Namespace(out=out, metrics=metrics, checkpoint=checkpoint)


def test_the_run_folder_is_out_or_the_folder_of_the_declared_files():
    assert run_folder(args(out=RUN)) == RUN
    assert run_folder(args(metrics=RUN / "metrics.json")) == RUN
    assert run_folder(args(metrics=RUN / "metrics.json", checkpoint=RUN / "checkpoint.pt")) == RUN


def test_files_training_would_not_write_stop_before_training():
    with pytest.raises(UserError, match=r"--metrics must be .*seed~0/metrics.json"):
        run_folder(args(metrics=RUN / "result.json"))
    with pytest.raises(UserError, match=r"--checkpoint must be .*seed~0/checkpoint.pt"):
        run_folder(args(metrics=RUN / "metrics.json", checkpoint=RUN.parent / "checkpoint.pt"))
    with pytest.raises(UserError, match="either --out"):
        run_folder(args(out=RUN, metrics=RUN / "metrics.json"))
    with pytest.raises(UserError, match="either --out"):
        run_folder(args())
