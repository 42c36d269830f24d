"""Which params file a Snakemake invocation means: `--configfile FILE`, `--config params=FILE`
or params.yaml. Called by workflow/rules/common.smk before any job is planned."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from proxy_attention.errors import UserError

DEFAULT_PARAMS = "params.yaml"
PARAMS_KEY = "params"


class ConfigError(UserError):
    """A Snakemake --config/--configfile combination the pipeline cannot honour."""


def params_file_for(overrides: Mapping[str, Any], configfiles: Sequence[str]) -> str:
    """The params file to load, given Snakemake's ``--config`` pairs and ``--configfile`` list.

    Only ``params`` is read from ``--config``: any other key would otherwise be ignored silently
    (the rules read the params file, not Snakemake's config), so it stops the run instead.
    """
    unknown = sorted(set(overrides) - {PARAMS_KEY})
    if unknown:
        raise ConfigError(
            f"--config {unknown[0]}=... is not read by this pipeline (only --config params=FILE"
            " is); put the setting in a params file and pass it with --configfile FILE"
        )
    files = list(dict.fromkeys(str(f) for f in configfiles))
    if len(files) > 1:
        raise ConfigError(
            f"--configfile was given {len(files)} files {files}; give one complete params file"
        )
    if files and PARAMS_KEY in overrides:
        raise ConfigError(
            f"both --configfile {files[0]} and --config params={overrides[PARAMS_KEY]} were given;"
            " give one of them"
        )
    if files:
        return _within_cwd(files[0])
    if PARAMS_KEY in overrides and not str(overrides[PARAMS_KEY] or "").strip():
        raise ConfigError(
            f"--config params= names no file; give one (--config params=FILE), or leave the "
            f"option out for {DEFAULT_PARAMS}"
        )
    return str(overrides.get(PARAMS_KEY) or DEFAULT_PARAMS)


def _within_cwd(path: str) -> str:
    """Snakemake makes --configfile absolute; the jobs' command lines (and so their rerun
    triggers) stay the same as with --config params=FILE when it is given relative again."""
    resolved = Path(path).absolute()
    try:
        return resolved.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(resolved)
