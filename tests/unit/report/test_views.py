"""report/views.py: which figures a grid's report draws, from the runs' specs alone."""

import pandas as pd

from proxy_attention.grid import expand_grid
from proxy_attention.report.views import (
    EXPLAINABILITY_VARIANTS,
    MAIN_TEXT_VARIANTS,
    figure_files,
    grid_runs,
    report_views,
)


def spec_rows(thresholds, weights, groups=1, seeds=(0,)) -> pd.DataFrame:
    """``groups`` controls, each with a proxy variant per threshold x weight, per seed."""
    rows = []
    for group in range(groups):
        for seed in seeds:
            control = f"d/m{group}/aug~basic/proxy~off-e2/seed~{seed}"
            rows.append(
                {"run_id": control, "variant": control.rsplit("/seed~")[0], "proxy": False,
                 "control_id": control, "threshold": None, "weight": None}
            )  # fmt: skip
            for t in thresholds:
                for w in weights:
                    run = f"d/m{group}/aug~basic/proxy~t{t}-w{w}/seed~{seed}"
                    rows.append(
                        {"run_id": run, "variant": run.rsplit("/seed~")[0], "proxy": True,
                         "control_id": control, "threshold": t, "weight": w}
                    )  # fmt: skip
    frame = pd.DataFrame(rows)
    for name in ("method", "subset", "clear_every_step", "mode", "schedule"):
        frame[name] = frame["proxy"].map({True: "same", False: None})
    return frame


def test_up_to_the_main_text_limit_every_per_variant_figure_is_drawn():
    runs = spec_rows(thresholds=[0.2, 0.4, 0.6], weights=[0.5, 0.8, 0.9, 0.95, 0.99])
    assert runs["variant"].nunique() == 16
    views = report_views(runs)
    assert views.full and views.paired and views.heatmaps
    assert views.varied == ("threshold", "weight")
    assert views.figures == [
        "val_accuracy", "test_accuracy", "gain_variant", "cost_gain", "gain_by_threshold",
        "gain_by_weight", "gain_heatmaps", "explainability",
    ]  # fmt: skip


def test_past_the_explainability_limit_its_figure_is_left_out():
    runs = spec_rows(thresholds=range(5), weights=range(6))
    assert runs["variant"].nunique() == 31 == EXPLAINABILITY_VARIANTS + 1
    views = report_views(runs)
    assert views.full and not views.explainability_figure
    assert "explainability" not in views.figures and "test_accuracy" in views.figures


def test_past_the_main_text_limit_only_summaries_are_drawn():
    runs = spec_rows(thresholds=range(5), weights=range(8))
    assert runs["variant"].nunique() == 41 == MAIN_TEXT_VARIANTS + 1
    views = report_views(runs)
    assert not views.full and views.varied == ()
    # the main text shows one control and its chosen variant: few enough for the figure
    assert views.figures == ["val_accuracy", "gain_heatmaps", "explainability"]
    many_groups = report_views(spec_rows(thresholds=range(5), weights=range(8), groups=16))
    assert many_groups.figures == ["val_accuracy", "gain_heatmaps"]  # 32 shown > 30


def test_controls_only_and_unexplained_builds():
    controls = spec_rows(thresholds=[], weights=[])
    assert report_views(controls).figures == ["val_accuracy", "test_accuracy", "explainability"]
    assert report_views(controls, explained=False).figures == ["val_accuracy", "test_accuracy"]
    one_cell = report_views(spec_rows(thresholds=[0.5], weights=[0.8]))
    assert not one_cell.heatmaps and one_cell.varied == ()


def test_the_grid_gives_the_spec_columns_of_runs_csv(params):
    runs = grid_runs(params)
    specs = expand_grid(params)
    assert list(runs["run_id"]) == [spec.run_id for spec in specs]
    proxy = runs[runs["proxy"]].iloc[0]
    spec = next(s for s in specs if s.run_id == proxy["run_id"])
    assert proxy["threshold"] == spec.proxy.threshold and proxy["control_id"] == spec.control_id
    assert proxy["variant"] == spec.run_id.rsplit("/seed~", 1)[0]
    assert proxy["schedule"] == " ".join(str(item) for item in spec.schedule)


def test_each_figure_is_one_file_per_format():
    assert figure_files(["a"], "f") == ["f/a.pdf", "f/a.png"]
