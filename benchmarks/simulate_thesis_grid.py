"""The thesis grid's report at full scale: 21,690 simulated runs through the real steps.

Writes schema-true results for every run of workflow/configs/thesis.yaml with planted effects
(report/simulate.py: +1.0 point on food101 at thresholds >= 0.8, -0.5 point at weight 0.95,
nothing elsewhere), then runs `proxy-attention aggregate`, `report` and `thesis` on them in a
scratch project. Prints the wall time and peak memory of each step, aggregate + report against
the 5-minute budget and against the time to only parse every metrics file (the reference), the
page count (and the main text's), whether the PDF built, which planted effects the report's
tests find and how many untouched settings they call significant; renders the heatmap page.

    nice -n 10 .venv/bin/python benchmarks/simulate_thesis_grid.py [--out DIR [--reuse]]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpers.simulated_pipeline import (  # noqa: E402
    false_positives,
    pdf_pages,
    planted_pairs,
    run_simulated_pipeline,
    thesis_params,
    views_with_truth,
)

from proxy_attention.report.summary_views import significant  # noqa: E402

BUDGET_SECONDS = 300.0
ALPHA = 0.05


def parse_seconds(folder: Path) -> float:
    """The reference: only reading and parsing every metrics file the aggregate step reads."""
    started = time.perf_counter()
    for root in ("runs", "explain"):
        for path in (folder / "data" / root).rglob("metrics.json"):
            orjson.loads(path.read_bytes())
    return time.perf_counter() - started


def physical_page(pdf: Path, caption: str) -> int | None:
    """The 1-based PDF page (not the printed number) whose text holds ``caption``."""
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [" ".join(page.split()) for page in text.split("\f")]
    # The last match: the list of figures repeats the caption before the figure itself.
    found = [i + 1 for i, page in enumerate(pages) if caption in page]
    return found[-1] if found else None


def main_text_pages(latex_dir: Path) -> int | None:
    """Arabic pages before the appendix: chapter 1 to the conclusion."""
    toc = (latex_dir / "thesis.toc").read_text(errors="replace")
    found = re.search(r"\\contentsline \{chapter\}\{\\numberline \{A\}[^}]*\}\{(\d+)\}", toc)
    return int(found.group(1)) - 1 if found else None


def print_effects(folder: Path, params: dict) -> None:
    runs, pairs = planted_pairs(folder, params)
    views = views_with_truth(folder, runs, pairs, 1 - ALPHA)
    effects = views["main effects"]
    found = effects[significant(effects, ALPHA)]
    print("main effects found (Holm p < 0.05 within each scope):")
    for row in found.itertuples():
        print(
            f"  {row.scope:>14} {row.factor}={row.level}: {100 * row.mean_diff:+.2f} points "
            f"[{100 * row.ci_low:+.2f}, {100 * row.ci_high:+.2f}], planted "
            f"{100 * row.truth:+.2f}, p_holm {row.p_holm:.2g}"
        )
    for name, table in views.items():
        marked = int(significant(table, ALPHA).sum())
        planted = int((table["truth"].abs() > 1e-12).sum())
        wrong = len(false_positives(table, ALPHA))
        print(
            f"{name}: {len(table)} tests, {planted} with a planted gain, {marked} significant, "
            f"{wrong} of them without one"
        )
    chosen = views["chosen"]
    print("chosen on validation per control:")
    for row in chosen.itertuples():
        print(
            f"  {row.dataset}/{row.model}: {row.proxy_label} gain {100 * row.mean_diff:+.2f} "
            f"(planted {100 * row.truth:+.2f}) p_holm {row.p_holm:.2g}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="scratch project (kept)")
    parser.add_argument("--sub-grid", action="store_true", help="3 datasets x 2 models only")
    parser.add_argument("--reuse", action="store_true", help="keep the runs simulated in --out")
    args = parser.parse_args()
    folder = args.out or Path(tempfile.mkdtemp(prefix="simulated-thesis-grid-"))
    grid = {}
    if args.sub_grid:
        grid = dict(datasets=["food101", "cifar100", "imagenette"], models=["resnet18", "vgg16"])
    params = thesis_params(**grid)
    steps = run_simulated_pipeline(params, folder, reuse=args.reuse)
    print(f"project: {folder}")
    print(f"runs simulated: {steps['runs']} in {steps['simulate'].seconds:.0f} s")
    for name in ("aggregate", "report", "thesis"):
        step = steps[name]
        print(
            f"{name}: {step.seconds:.1f} s wall, {step.cpu_seconds:.1f} s CPU, "
            f"peak memory {step.peak_mib:.0f} MiB"
        )
    both = steps["aggregate"].seconds + steps["report"].seconds
    cpu = steps["aggregate"].cpu_seconds + steps["report"].cpu_seconds
    reference = parse_seconds(folder)
    print(
        f"aggregate + report: {both:.1f} s wall = {both / BUDGET_SECONDS:.2f} x the 5-minute "
        f"budget ({cpu:.1f} s CPU = {cpu / BUDGET_SECONDS:.2f} x); "
        f"aggregate = {steps['aggregate'].seconds / reference:.2f} x parsing every metrics "
        f"file ({reference:.1f} s)"
    )
    pdf = folder / "thesis" / "build" / "thesis.pdf"
    latex = pdf.parent / "latex"
    print(f"PDF built: {pdf.exists()}, {pdf_pages(pdf)} pages, main text {main_text_pages(latex)}")
    page = physical_page(pdf, "Paired gain over the control in points per threshold")
    if page is not None:
        png = folder / "heatmap-page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "100", "-f", str(page), "-l", str(page), str(pdf), png],
            check=True,
        )
        print(f"heatmap figure on PDF page {page}: {sorted(folder.glob('heatmap-page*.png'))}")
    print_effects(folder, params)


if __name__ == "__main__":
    main()
