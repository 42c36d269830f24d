"""Bad inputs, as a careful user and as an attacker would give them (issue 26): each step
ends in exactly one line naming the problem and the fix, exit status 2, no traceback, and
leaves nothing that looks finished. The rows are printed as a matrix after the tests."""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from proxy_attention.cli import main
from tests.helpers.checkpoints import save_checkpoint
from tests.helpers.repo import ROOT
from tests.helpers.server import MirrorServer

FOOD = "food-101.tar.gz"


@dataclass
class Probe:
    step: str
    bad_input: str
    make: Callable[[Path, MirrorServer], list[str]]  # builds the input, returns the argv
    says: str  # what the one line must contain
    absent: tuple[str, ...] = ()  # paths under tmp_path that must not exist afterwards


def _params(tmp_path: Path, change: Callable[[dict], None] | None = None, **datasets) -> str:
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    if datasets:
        params["datasets"] = datasets
        params["grid"]["datasets"] = sorted(datasets)
    if change:
        change(params)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return str(path)


def _validate(change: Callable[[dict], None]) -> Callable[[Path, MirrorServer], list[str]]:
    return lambda tmp, _: ["validate", "--params", _params(tmp, change)]


def _png(seed: int) -> bytes:
    cells = np.random.default_rng(seed).integers(0, 255, (4, 4, 3), np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(cells).resize((32, 32)).save(buffer, "PNG")
    return buffer.getvalue()


def _prepare(tmp: Path, source: Path) -> list[str]:
    params = _params(tmp, photos={"source": "folder", "path": str(source), "image_size": 16})
    return ["prepare", "--params", params, "--dataset", "photos", "--raw", str(tmp / "raw")] + [
        "--out", str(tmp / "prepared" / "photos")
    ]  # fmt: skip


def _zip(tmp: Path, members: list[tuple[str, bytes]], encrypted: bool = False) -> Path:
    path = tmp / "photos.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as zf:
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name, and writes it
        for name, data in members:
            zf.writestr(name, data)
    if encrypted:  # the flag an encrypting archiver sets, in the local and central headers
        data = bytearray(path.read_bytes())
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            data[data.index(signature) + offset] |= 0x1
        path.write_bytes(bytes(data))
    return path


def _tree(tmp: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (tmp / "tree" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "tree" / name).write_bytes(data)
    return tmp / "tree"


def _leaky_split(tmp: Path, _) -> list[str]:
    parts = [("train", "a", 8), ("train", "b", 8), ("test", "a", 3), ("test", "b", 3)]
    files = {
        f"{split}/{name}/{i}.png": _png(10 * k + i)
        for k, (split, name, count) in enumerate(parts)
        for i in range(count)
    }
    files["test/a/copy.png"] = files["train/a/0.png"]
    assert main(_prepare(tmp, _tree(tmp, files))) == 0
    params = tmp / "params.yaml"
    return ["split", "--params", str(params), "--dataset", "photos", "--prepared"] + [
        str(tmp / "prepared" / "photos"), "--out", str(tmp / "splits" / "photos.npz")
    ]  # fmt: skip


def _download(tmp: Path, server: MirrorServer, fault: str, **entry) -> list[str]:
    server.files[FOOD] = b"x" * 5000
    server.faults[FOOD] = [(fault, 0)]
    cfg = {"source": "food101", "image_size": 8, "mirror": server.url, "download_retries": 0}
    params = _params(tmp, food={**cfg, **entry})
    raw = tmp / "raw"
    return ["download", "--params", params, "--dataset", "food", "--out", str(raw)] + [
        "--manifest", str(raw / "verified.json")
    ]  # fmt: skip


def _run_folder(tmp: Path, run_id: str, arch_of_metrics: str) -> Path:
    run = tmp / "run"
    run.mkdir()
    spec = {"model": arch_of_metrics}
    (run / "metrics.json").write_text(json.dumps({"run_id": "toy/a", "spec": spec}))
    (tmp / "images").mkdir()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(tmp / "images" / "a.png")
    save_checkpoint(run / "checkpoint.pt", run_id, seed=0)  # a test_efficientnet
    return run


def _predict(run: Path) -> list[str]:
    images, out = run.parent / "images", run.parent / "p.csv"
    return ["predict", "--run-dir", str(run), "--images", str(images), "--out", str(out)]


def _flipped(tmp: Path, _) -> list[str]:
    run = _run_folder(tmp, "toy/a", "test_efficientnet")
    data = bytearray((run / "checkpoint.pt").read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    (run / "checkpoint.pt").write_bytes(bytes(data))
    return _predict(run)


def _bomb(tmp: Path, _) -> list[str]:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    (tmp / "bomb.yaml").write_text("\n".join(lines))
    return ["validate", "--params", str(tmp / "bomb.yaml")]


def _big_grid(params: dict) -> None:
    _huge_grid(params)
    params["grid"]["seeds"] = [0, 1, 2]


def _huge_grid(params: dict) -> None:
    params["grid"]["seeds"] = list(range(100))
    params["grid"]["proxy"].update(thresholds=[i / 100 for i in range(100)])
    params["grid"]["proxy"].update(weights=[i / 100 for i in range(1, 101)])


PROBES = [
    Probe("validate", "grid seed 2**32", _validate(
        lambda p: p["grid"].update(seeds=[2**32])), "grid.seeds.0 = 4294967296 is out of range"),
    Probe("validate", "split.seed 2**32", _validate(
        lambda p: p["split"].update(seed=2**32)), "split.seed = 4294967296 is out of range"),
    Probe("validate", "1.2 KB YAML alias bomb", _bomb, "expand to more than 100000 values"),
    Probe("validate", "a folder as params", lambda t, _: ["validate", "--params", str(t)],
          "not a params file but a folder"),
    Probe("validate", "a PNG as params", lambda t, _: ["validate", "--params", str(
        _tree(t, {"p.png": _png(0)}) / "p.png")], "not a text file"),
    Probe("validate", "4 million runs", _validate(_huge_grid), "more than the 500,000"),
    Probe("validate", "120,000 runs, one job each", _validate(_big_grid),
          "set grid.train_together"),
    Probe("prepare", "zip: two members of one name", lambda t, _: _prepare(t, _zip(t, [
        ("a/1.png", _png(1)), ("b/1.png", _png(2)), ("a/1.png", _png(3))])),
        "member 'a/1.png' appears twice", ("prepared/photos",)),
    Probe("prepare", "zip: an encrypted member", lambda t, _: _prepare(t, _zip(t, [
        ("a/1.png", _png(1)), ("b/1.png", _png(2))], encrypted=True)),
        "is encrypted; extract the archive with its password", ("prepared/photos",)),
    Probe("prepare", "one class folder", lambda t, _: _prepare(t, _tree(t, {
        "cats/1.png": _png(1), "cats/2.png": _png(2)})), "one class is not a dataset",
        ("prepared/photos",)),
    Probe("prepare", "cafe NFC and NFD", lambda t, _: _prepare(t, _tree(t, {
        "caf\u00e9/1.png": _png(1), "cafe\u0301/1.png": _png(2)})),
        "one name written in two Unicode forms", ("prepared/photos",)),
    Probe("split", "test image = train image", _leaky_split,
          "1 test images are byte-identical to training", ("splits/photos.npz",)),
    Probe("download", "endless, no Content-Length", lambda t, s: _download(
        t, s, "endless", max_download_bytes=100_000), "over its cap of 100000 bytes",
        ("raw/food-101.tar.gz", "raw/food-101.tar.gz.part")),
    Probe("download", "larger than announced cap", lambda t, s: _download(
        t, s, "none", max_download_bytes=1000), "announces 5000 bytes, over its cap",
        ("raw/food-101.tar.gz", "raw/food-101.tar.gz.part")),
    Probe("download", "one byte every 50 ms", lambda t, s: _download(
        t, s, "trickle", download_stall_seconds=0.3), "stalled", ("raw/food-101.tar.gz",)),
    Probe("predict", "64 flipped checkpoint bytes", _flipped,
          "the file was changed or replaced", ("p.csv",)),
    Probe("predict", "another run's checkpoint", lambda t, _: _predict(
        _run_folder(t, "toy/b", "test_efficientnet")), "it belongs to another run", ("p.csv",)),
]  # fmt: skip


@pytest.fixture(scope="module")
def server():
    mirror = MirrorServer()
    yield mirror
    mirror.close()


@pytest.mark.parametrize("case", PROBES, ids=[p.bad_input for p in PROBES])
def test_a_bad_input_ends_in_one_line(case, server, tmp_path, capsys, probe):
    argv = case.make(tmp_path, server)
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # what is left besides warnings and the download's progress bar (tqdm)
    lines = [line for line in err.splitlines() if line.strip() and not _chatter(line)]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert case.says in lines[0]
    assert [p for p in case.absent if (tmp_path / p).exists()] == []
    probe(case.step, case.bad_input, lines[0].removeprefix("error: ").replace(str(tmp_path), "…"))


def _chatter(line: str) -> bool:
    return line.startswith("warning:") or line.rstrip().endswith(("B/s]", "?B/s]"))
