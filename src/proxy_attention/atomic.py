"""Atomic file writes: every file the pipeline writes appears complete or not at all."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from proxy_attention.faults import boundary

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary sibling of ``path``; rename it onto ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Keep the real suffix last so libraries that dispatch on it (savefig, np.save) behave.
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=suffix or "".join(path.suffixes)
    )
    os.close(fd)
    # mkstemp creates owner-only files; give the result the mode a plain open() would.
    os.chmod(tmp, 0o666 & ~_UMASK)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        boundary(f"write:{path.name}")
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary sibling directory that replaces ``path`` only if the block succeeds.

    Temporary folders a killed earlier attempt left for ``path`` are removed first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        yield tmp
        boundary(f"dir:{path.name}")
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove_leftovers(path: str | os.PathLike, tag: str = "") -> list[Path]:
    """Remove what a killed write of ``path`` left: atomic_dir's ``.<name>.<8 random
    characters>`` folders, atomic_path's ``.<name>.<8 characters><suffix>`` files or, with
    ``tag``, ``.<name>.<tag><8 characters>`` folders.

    Call it only for a path one job writes (a step's own output, not a shared cache): then
    any such entry is an earlier attempt's, never a running one's.
    """
    path = Path(path)
    if not path.parent.is_dir():
        return []
    # tempfile's random part: 8 characters of [a-z0-9_]; nothing else is matched.
    folder = re.compile(rf"\.{re.escape(path.name)}\.{re.escape(tag)}[a-z0-9_]{{8}}")
    suffix = "" if tag else re.escape("".join(path.suffixes))
    file = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}{suffix}")
    removed = []
    for entry in path.parent.glob(f".{glob.escape(path.name)}.*"):
        if entry.is_symlink():
            continue
        if folder.fullmatch(entry.name) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        elif not tag and file.fullmatch(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)
        else:
            continue
        removed.append(entry)
    return removed


def remove_temporaries(folder: str | os.PathLike) -> list[Path]:
    """remove_leftovers for every file of ``folder``: for a folder one job owns (a run's work
    directory, an explanation's folder), where a killed attempt may have left any of them."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for entry in folder.iterdir():
        if not entry.name.startswith("."):
            continue
        # ".<name>.<8 random><suffixes of name>": try each dot as the end of <name>.
        dots = [i for i, char in enumerate(entry.name) if char == "." and i > 1]
        for dot in dots:
            base = entry.name[1:dot]
            if entry.name[dot + 9 :] in ("", "".join(Path(base).suffixes)):
                removed += remove_leftovers(folder / base)
    return removed


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def write_json(path: str | os.PathLike, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, sort_keys=False, default=_json_default) + "\n")


def read_json(path: str | os.PathLike) -> Any:
    return json.loads(Path(path).read_text())


def save_npy(path: str | os.PathLike, array: np.ndarray) -> None:
    with atomic_path(path) as tmp:
        np.save(tmp, array)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
