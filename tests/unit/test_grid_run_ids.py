"""Run ids: schedules keep a separator, and no two different runs of a grid share an id."""

from __future__ import annotations

import pytest

from proxy_attention.grid import expand_grid
from proxy_attention.params import ParamsError, validate_params


def test_schedules_that_joined_alike_get_distinct_ids(params):
    params["grid"].update(schedules=[[5, "p", 12], [5, "p", 1, 2]], seeds=[0])
    params["grid"]["augmentations"] = ["basic"]
    ids = [spec.run_id for spec in expand_grid(params) if spec.proxy is not None]
    assert len(ids) == 2
    assert any("-s5-p-12/" in run_id for run_id in ids)
    assert any("-s5-p-1-2/" in run_id for run_id in ids)


def test_control_and_plain_schedule_of_equal_length_stay_one_run(params):
    params["grid"].update(schedules=[[3, "p", 2], [6]], seeds=[0], augmentations=["basic"])
    ids = [spec.run_id for spec in expand_grid(params)]
    assert sum("proxy~off-e6" in run_id for run_id in ids) == 1
    assert len(ids) == 2


def test_two_different_runs_with_one_id_stop_validation(params, monkeypatch):
    """Should any id scheme ever collide again, the grid stops instead of losing a run."""
    import proxy_attention.grid as grid

    monkeypatch.setattr(grid, "schedule_token", lambda schedule: "".join(map(str, schedule)))
    grid._runs_by_id.cache_clear()
    params["grid"].update(schedules=[[5, "p", 12], [5, "p", 1, 2]], seeds=[0])
    with pytest.raises(ParamsError, match=r"schedules \[5, 'p', 12\] and \[5, 'p', 1, 2\] both"):
        validate_params(params)
    grid._runs_by_id.cache_clear()
