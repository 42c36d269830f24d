"""The subcommand registry: each step's name, help, arguments and handler, declared together.

A command module declares a step with ``@command(name, help, *arguments)`` right above its
handler; ``build_parser`` turns the registry into argparse subcommands. The shared arguments
below keep every step spelling ``--params``, ``--prepared`` or ``--threads`` the same way.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Handler = Callable[[argparse.Namespace], None]


@dataclass(frozen=True)
class Argument:
    """One ``add_argument`` call: its flags (or positional name) and options."""

    flags: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Command:
    """One ``proxy-attention <name>`` step."""

    name: str
    help: str
    handler: Handler
    arguments: tuple[Argument, ...]


COMMANDS: dict[str, Command] = {}


def arg(*flags: str, **options: Any) -> Argument:
    return Argument(flags, options)


def path(flag: str, help: str | None = None, *, required: bool = True) -> Argument:
    """A path argument; required unless said otherwise (then None when left out)."""
    options: dict[str, Any] = {"type": Path, "required": required, "help": help}
    if not required:
        options["default"] = None
    return Argument((flag,), options)


PARAMS = arg("--params", type=Path, default=Path("params.yaml"), help="the params file")
DATASET = arg("--dataset", required=True, help="a dataset name under datasets: in the params")
RUN = arg("--run", required=True, help="run id, as listed by `proxy-attention runs`")
PREPARED = path("--prepared", "data/prepared/<dataset>")
SPLIT = path("--split", "data/splits/<dataset>.npz")
THREADS = arg("--threads", type=int, default=None, help="torch threads (the job's threads)")
OUT = path("--out")
# The steps that make every run of one bundle (bundles.py) that is not current.
BUNDLE = (
    arg("--bundle", required=True, help="bundle id (bundles.py)"),
    PREPARED,
    SPLIT,
    path("--marker", "written when all are done"),
    THREADS,
)


def command(name: str, help: str, *arguments: Argument | tuple[Argument, ...]):
    """Register the decorated function as the handler of ``proxy-attention <name>``."""

    def register(handler: Handler) -> Handler:
        flat: list[Argument] = []
        for item in arguments:
            flat.extend(item if isinstance(item, tuple) else (item,))
        COMMANDS[name] = Command(name, help, handler, tuple(flat))
        return handler

    return register


def build_parser(description: str | None = None) -> argparse.ArgumentParser:
    """An argparse parser with one subcommand per registered step."""
    parser = argparse.ArgumentParser(prog="proxy-attention", description=description)
    steps = parser.add_subparsers(required=True, metavar="STEP")
    for spec in COMMANDS.values():
        sub = steps.add_parser(spec.name, help=spec.help, description=spec.help)
        sub.set_defaults(handler=spec.handler)
        for argument in spec.arguments:
            sub.add_argument(*argument.flags, **argument.options)
    return parser
