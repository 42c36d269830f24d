"""The budget planner: each grid list's share of the cost, and the cost with fewer values, on a
grid small enough to work out by hand."""

import pytest

from proxy_attention.budget import (
    LIST_NAMES,
    budget_plan,
    cut_grid,
    fewer_values,
    format_budget,
    grid_hours,
    list_shares,
)
from proxy_attention.errors import UserError
from proxy_attention.estimate import estimate
from proxy_attention.grid import expand_grid
from proxy_attention.schedule import total_epochs


@pytest.fixture
def small(params):
    """Schedules [3] and [1, p, 1] (both 3 epochs: they share one control per seed), two seeds,
    two thresholds; each run costs one hour per epoch. By hand: 2 controls x 3 h + 2 seeds x
    2 thresholds x 3 h = 6 + 12 = 18 h."""
    params["grid"].update(augmentations=["basic"], schedules=[[3], [1, "p", 1]], seeds=[0, 1])
    params["grid"]["proxy"].update(thresholds=[0.1, 0.2], weights=[0.8], subsets=[0.5])
    hours = {spec.run_id: float(total_epochs(spec.schedule)) for spec in expand_grid(params)}
    return params, hours


def test_the_small_grid_costs_what_the_hand_count_says(small):
    params, hours = small
    assert len(hours) == 6 and grid_hours(params, hours) == 18


def test_each_lists_share_cut_to_its_first_value_and_by_one(small):
    params, hours = small
    shares = {share.name: share for share in list_shares(params, hours)}
    assert set(shares) == {"schedules", "seeds", "proxy.thresholds"}  # the lists with 2 values
    # schedules [3] only: the 2 controls (6 h); seeds [0]: half of everything (9 h);
    # thresholds [0.1]: 2 controls and 2 proxy runs (12 h)
    assert (shares["schedules"].first_only, shares["schedules"].one_fewer) == (6, 6)
    assert (shares["seeds"].first_only, shares["seeds"].one_fewer) == (9, 9)
    assert shares["proxy.thresholds"].first_only == 12
    assert [share.name for share in list_shares(params, hours)] == [
        "schedules",
        "seeds",
        "proxy.thresholds",
    ]  # the biggest saving first


def test_three_values_cut_to_one_and_to_two(small):
    params, hours = small
    params["grid"]["proxy"]["weights"] = [0.2, 0.4, 0.8]
    hours = {spec.run_id: float(total_epochs(spec.schedule)) for spec in expand_grid(params)}
    # 2 controls (6 h) + 2 seeds x 2 thresholds x w weights x 3 h
    assert grid_hours(params, hours) == 6 + 12 * 3
    share = next(s for s in list_shares(params, hours) if s.name == "proxy.weights")
    assert (share.values, share.first_only, share.one_fewer) == (3, 6 + 12, 6 + 12 * 2)
    fewer = fewer_values(params, hours)
    assert fewer == {"seeds": [42, 21], "schedules": [42, 6], "proxy.weights": [42, 30, 18]}


def test_cut_grid_copies_and_cuts_nested_lists(params):
    grid = params["grid"]
    grid["proxy"]["weights"] = [0.1, 0.2, 0.3]
    cut = cut_grid(grid, "proxy.weights", 2)
    assert cut["proxy"]["weights"] == [0.1, 0.2] and grid["proxy"]["weights"] == [0.1, 0.2, 0.3]
    assert all(name.split(".")[-1] in {*grid, *grid["proxy"]} for name in LIST_NAMES)


def test_the_table_says_whether_the_grid_and_each_cut_fit(small):
    params, hours = small
    text = format_budget(
        10, "RTX 3090-hours", 18, list_shares(params, hours), fewer_values(params, hours)
    )
    assert (
        text.splitlines()[0]
        == "budget 10 RTX 3090-hours: the grid costs 18; it is 1.8 times the budget"
    )
    seeds = next(line for line in text.splitlines() if line.startswith("seeds") and "k=" in line)
    assert seeds.split() == ["seeds", "k=2:", "18", "k=1:", "9*"]
    schedules = next(line for line in text.splitlines() if line.startswith("schedules "))
    assert "67% less" in schedules  # 6 of 18 h left


def test_the_plan_of_an_estimate_is_in_rtx3090_hours_without_a_gpu(small, tmp_path):
    params, _ = small
    timing = {"train_seconds_per_image": 0.01, "eval_seconds_per_image": 0.002}
    result = estimate(params, tmp_path / "c.json", lambda model, size, device: timing)
    total = sum(result["run_hours"]["rtx3090"].values())
    text = budget_plan(params, result, total * 2)
    assert text.splitlines()[0].startswith("budget ") and "RTX 3090-hours" in text.splitlines()[0]
    assert text.splitlines()[0].endswith("it fits")
    assert "cpu-hours" in budget_plan(params, result, 1.0, "device").splitlines()[0]
    with pytest.raises(UserError, match="--gpu 'a100'"):
        budget_plan(params, result, 1.0, "a100")
