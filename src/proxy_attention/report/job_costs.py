"""The cost of the build per rule, from the TSV files of Snakemake's `benchmark:` directive.

Snakemake writes one TSV per job (wall seconds, peak memory, CPU time); this sums them per rule
for the cost section of Snakemake's report. The rule is the first folder under the benchmarks
folder (logs/benchmarks/<rule>/<wildcards>.tsv).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from proxy_attention.atomic import write_text
from proxy_attention.errors import UserError

COLUMNS = ["rule", "jobs", "total_s", "mean_s", "max_s", "cpu_s", "peak_rss_mb"]


def read_benchmarks(folder: str | Path) -> pd.DataFrame:
    """Every job's benchmark row, with the rule it belongs to."""
    folder = Path(folder)
    frames = []
    for path in sorted(folder.rglob("*.tsv")):
        frame = pd.read_csv(path, sep="\t")
        frames.append(frame.assign(rule=path.relative_to(folder).parts[0]))
    if not frames:
        raise UserError(
            f"no benchmark files under {folder}: run the pipeline (snakemake) before the cost table"
        )
    return pd.concat(frames, ignore_index=True)


def cost_per_rule(benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Jobs, wall seconds (total, mean, max), CPU seconds and peak resident memory per rule."""
    # Snakemake writes "-" where it could not measure (e.g. a job too short to sample).
    numeric = benchmarks.assign(
        **{c: pd.to_numeric(benchmarks[c], errors="coerce") for c in ("s", "cpu_time", "max_rss")}
    )
    table = numeric.groupby("rule", sort=True).agg(
        jobs=("s", "size"),
        total_s=("s", "sum"),
        mean_s=("s", "mean"),
        max_s=("s", "max"),
        cpu_s=("cpu_time", "sum"),
        peak_rss_mb=("max_rss", "max"),
    )
    return table.sort_values("total_s", ascending=False).reset_index()[COLUMNS]


def cost_html(table: pd.DataFrame) -> str:
    total = table["total_s"].sum()
    heading = (
        f"<h3>Job cost per rule: {int(table['jobs'].sum())} jobs, {total:.0f} s of wall time "
        "summed over jobs</h3>"
    )
    return heading + "\n" + table.to_html(index=False, float_format="{:.1f}".format, na_rep="-")


def write_job_costs(benchmarks: str | Path, out_csv: str | Path, out_html: str | Path) -> None:
    table = cost_per_rule(read_benchmarks(benchmarks))
    write_text(out_csv, table.to_csv(index=False))
    write_text(out_html, cost_html(table) + "\n")
