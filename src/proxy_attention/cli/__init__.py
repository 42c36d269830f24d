"""`proxy-attention <step>`: one subcommand per pipeline step, each a thin wrapper.

Each step is declared beside its handler (``@command`` in data_steps, run_steps and
report_steps); commands.py holds the registry and the arguments the steps share.
"""

from __future__ import annotations

import sys

from proxy_attention.cli import data_steps, report_steps, run_steps  # noqa: F401  (registers)
from proxy_attention.cli.commands import COMMANDS, build_parser
from proxy_attention.errors import UserError

__all__ = ["COMMANDS", "build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    args = build_parser(__doc__.splitlines()[0]).parse_args(argv)
    try:
        args.handler(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, RuntimeError, MemoryError) as exc:
        from proxy_attention import disk, memory

        line = disk.describe(exc) or memory.describe(exc)
        if line is None:
            raise
        print(f"error: {line}", file=sys.stderr)
        return 2
    return 0
