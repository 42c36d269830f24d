"""`proxy-attention estimate --budget-gpu-hours`: which grid lists dominate the cost, and what
the grid costs with fewer of their values, so that a grid can be shrunk to a budget.

Every figure re-expands the grid with one list cut (grid.expand_grid's rules: controls shared
between schedules, leak-check twins) and sums the hours of its runs, taken from the full grid's
estimate (estimate.run_hours): a cut grid's runs are all runs of the full grid.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from proxy_attention.estimate import format_hours
from proxy_attention.grid import runs_by_id

# The lists of params.grid that multiply the runs, as dotted names under grid.
GRID_LISTS = ("datasets", "models", "augmentations", "schedules", "seeds")
PROXY_LISTS = ("methods", "thresholds", "weights", "subsets", "clear_every_step", "modes")
# The lists the "fewer values" table walks through: the cheap ones to cut (replicates, the
# schedule range, the weight sweep) that leave every dataset and model in the comparison.
PREFIX_LISTS = ("seeds", "schedules", "proxy.weights")
LIST_NAMES = (*GRID_LISTS, *(f"proxy.{name}" for name in PROXY_LISTS))

RunIds = Callable[[dict[str, Any]], Any]


def _grid_run_ids(params: dict[str, Any]):
    return runs_by_id(params).keys()


@dataclass(frozen=True)
class ListShare:
    """What one grid list costs: the grid's hours with the list cut to its first value and with
    its last value dropped."""

    name: str
    values: int
    first_only: float
    one_fewer: float


def grid_list(grid: dict[str, Any], name: str) -> list[Any]:
    """The values of ``name`` ("seeds", "proxy.weights") in params.grid."""
    node = grid
    for part in name.split("."):
        node = node[part]
    return node


def cut_grid(grid: dict[str, Any], name: str, keep: int) -> dict[str, Any]:
    """A copy of the grid with list ``name`` cut to its first ``keep`` values."""
    cut = copy.deepcopy(grid)
    *parents, last = name.split(".")
    node = cut
    for part in parents:
        node = node[part]
    node[last] = node[last][:keep]
    return cut


def grid_hours(
    params: dict[str, Any], hours_by_id: Mapping[str, float], run_ids: RunIds = _grid_run_ids
) -> float:
    """Hours of the grid of ``params``: the sum over its runs' ids."""
    return sum(hours_by_id[run_id] for run_id in run_ids(params))


def cut_hours(
    params: dict[str, Any],
    hours_by_id: Mapping[str, float],
    name: str,
    keep: int,
    run_ids: RunIds = _grid_run_ids,
) -> float:
    """Hours of the grid with list ``name`` cut to its first ``keep`` values."""
    cut = {**params, "grid": cut_grid(params["grid"], name, keep)}
    return grid_hours(cut, hours_by_id, run_ids)


def list_shares(
    params: dict[str, Any], hours_by_id: Mapping[str, float], run_ids: RunIds = _grid_run_ids
) -> list[ListShare]:
    """Every list with more than one value, the one whose cut to its first value saves the most
    first."""
    shares = []
    for name in LIST_NAMES:
        values = len(grid_list(params["grid"], name))
        if values > 1:
            first = cut_hours(params, hours_by_id, name, 1, run_ids)
            fewer = cut_hours(params, hours_by_id, name, values - 1, run_ids)
            shares.append(ListShare(name, values, first, fewer))
    return sorted(shares, key=lambda share: share.first_only)


def fewer_values(
    params: dict[str, Any],
    hours_by_id: Mapping[str, float],
    names: tuple[str, ...] = PREFIX_LISTS,
    run_ids: RunIds = _grid_run_ids,
) -> dict[str, list[float]]:
    """For each list in ``names``: the grid's hours keeping its first k values, k = all .. 1."""
    return {
        name: [
            cut_hours(params, hours_by_id, name, keep, run_ids)
            for keep in range(len(grid_list(params["grid"], name)), 0, -1)
        ]
        for name in names
    }


def _saving(total: float, cost: float) -> str:
    return f"{1 - cost / total:>4.0%} less" if total else "    -"


def format_budget(
    budget: float,
    unit: str,
    total: float,
    shares: list[ListShare],
    fewer: dict[str, list[float]],
) -> str:
    """The planner's terminal table: the grid against the budget, each list's share, and the
    grid's hours with fewer seeds, schedules and weights (``unit`` names the hours)."""
    verdict = "fits" if total <= budget else f"is {total / budget:,.1f} times the budget"
    lines = [
        f"budget {format_hours(budget)} {unit}: the grid costs {format_hours(total)}; it {verdict}",
        "",
        "what each list costs (the grid's hours with that list cut, and how much less that is):",
        f"{'list':<26}{'values':>7}{'first value only':>24}{'one value fewer':>24}",
    ]
    for share in shares:
        lines.append(
            f"{share.name:<26}{share.values:>7}"
            f"{format_hours(share.first_only):>13}{_saving(total, share.first_only):>11}"
            f"{format_hours(share.one_fewer):>13}{_saving(total, share.one_fewer):>11}"
        )
    lines += ["", f"with fewer values (the first k kept; * within the budget), in {unit}:"]
    for name, costs in fewer.items():
        cells = [
            f"k={len(costs) - index}: {format_hours(cost)}{'*' if cost <= budget else ''}"
            for index, cost in enumerate(costs)
        ]
        lines.append(f"{name:<26}" + "   ".join(cells))
    return "\n".join(lines)


def budget_plan(
    params: dict[str, Any], result: dict[str, Any], budget: float, column: str | None = None
) -> str:
    """The planner's table for an estimate (estimate.estimate) in the hours of ``column``: a
    reference GPU's key, or "device" for the measured device; by default the measured device
    when it is a GPU, else the first reference GPU."""
    from proxy_attention.errors import UserError
    from proxy_attention.estimate import cost_columns

    columns = cost_columns(result, "-hours")
    if column is None:
        column = "device" if result["device"] == "cuda" else result["gpus"][0]
    if column not in columns:
        raise UserError(f"--gpu {column!r}: choose one of {', '.join(columns)}")
    hours_by_id = result["run_hours"][column]
    if any(hours is None for hours in hours_by_id.values()):
        raise UserError(
            f"cannot plan in {columns[column]}: a dataset's size or a model's timing is unknown"
            " (the estimate shows '?')"
        )
    total = grid_hours(params, hours_by_id)
    shares = list_shares(params, hours_by_id)
    fewer = fewer_values(params, hours_by_id)
    return format_budget(budget, columns[column], total, shares, fewer)
