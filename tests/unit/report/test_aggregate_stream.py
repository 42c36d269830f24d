"""aggregate_to writes the same tables as the in-memory aggregate, one run's epochs at a time."""

import io
import tracemalloc

import pandas as pd

from proxy_attention.grid import expand_grid
from proxy_attention.layout import EXPLAIN_ROOT, RUNS_ROOT
from proxy_attention.layout import METRICS as RESULT
from proxy_attention.report.aggregate import EPOCHS, PER_CLASS, RUNS, aggregate, aggregate_to
from tests.helpers.simulated_runs import simulate_grid


def simulated(params, folder, seeds, epochs):
    params["grid"].update(schedules=[[epochs - 1, "p"]], seeds=list(range(seeds)))
    simulate_grid(params, folder)
    ids = [spec.run_id for spec in expand_grid(params)]
    return (
        [folder / RUNS_ROOT / run_id / RESULT for run_id in ids],
        [folder / EXPLAIN_ROOT / run_id / RESULT for run_id in ids],
    )


def test_streamed_tables_equal_the_in_memory_ones(params, tmp_path):
    metrics, explain = simulated(params, tmp_path, seeds=3, epochs=6)
    count = aggregate_to(metrics, explain, tmp_path / "results")
    in_memory = aggregate(metrics, explain)
    assert count == 12
    for name in (RUNS, EPOCHS, PER_CLASS):
        streamed = pd.read_csv(tmp_path / "results" / name)
        expected = pd.read_csv(io.StringIO(in_memory[name].to_csv(index=False)))
        pd.testing.assert_frame_equal(streamed, expected)
    assert len(streamed) == 12 * 10  # per-class rows: 10 classes per run


def peak_bytes(function, *args) -> int:
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_epochs_held(params, tmp_path):
    short = simulated(params, tmp_path / "short", seeds=8, epochs=10)
    long = simulated(params, tmp_path / "long", seeds=8, epochs=300)
    streamed = [peak_bytes(aggregate_to, *paths, tmp_path / "out") for paths in (short, long)]
    held = [peak_bytes(aggregate, *paths) for paths in (short, long)]
    # 30x the epochs: the in-memory tables grow with them, the stream holds one run's at a time
    assert held[1] > 5 * held[0]
    assert streamed[1] < 1.5 * streamed[0] + 2_000_000
    assert streamed[1] < held[1] / 4
