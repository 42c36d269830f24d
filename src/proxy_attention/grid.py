"""The run grid: params.yaml lists expanded into runs with readable, stable ids."""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import asdict, dataclass
from typing import Any

from proxy_attention.schedule import parse_schedule, schedule_token, total_epochs


@dataclass(frozen=True)
class ProxySettings:
    """The knobs of one proxy variant (thesis/chapters/approach.tex)."""

    method: str
    threshold: float
    weight: float
    subset: float
    clear_every_step: bool = True
    mode: str = "blended"

    def token(self, hidden: frozenset[str] = frozenset()) -> str:
        """The proxy part of the run id; grid lists named in ``hidden`` show as ``x``."""

        def value(axis: str, text: str) -> str:
            return "x" if axis in hidden else text

        parts = [value("methods", self.method)]
        if "modes" in hidden or self.mode != "blended":
            parts.append(f"m{value('modes', self.mode)}")
        parts += [
            f"t{value('thresholds', f'{self.threshold:g}')}",
            f"w{value('weights', f'{self.weight:g}')}",
            f"f{value('subsets', f'{self.subset:g}')}",
        ]
        if "clear_every_step" in hidden:
            parts.append("cx")
        elif not self.clear_every_step:
            parts.append("keep")
        return "-".join(parts)


@dataclass(frozen=True)
class RunSpec:
    """One training run of the grid; its id is derived from its parameters only."""

    dataset: str
    model: str
    augmentation: str
    schedule: tuple[int | str, ...]
    seed: int
    proxy: ProxySettings | None = None
    resplit_each_round: bool = False
    fold: int | None = None  # the validation fold (split.folds > 1); None: the one split

    @property
    def proxy_token(self) -> str:
        return self._proxy_token()

    def _proxy_token(self, hidden: frozenset[str] = frozenset()) -> str:
        if self.proxy is None and not self.resplit_each_round:
            # With the proxy step off, a schedule is just its epoch count: the control of
            # [5, p, 9, p, 4] and the baseline [20] are the same run. A re-splitting control
            # re-splits at its p epochs, so there the schedule stays in the id.
            token = f"off-e{total_epochs(self.schedule)}"
        elif self.proxy is None:
            token = f"off-s{schedule_token(self.schedule)}"
        else:
            token = f"{self.proxy.token(hidden)}-s{schedule_token(self.schedule)}"
        return token + ("-resplit" if self.resplit_each_round else "")

    @property
    def run_id(self) -> str:
        return self.masked_id()

    def masked_id(self, hidden: frozenset[str] = frozenset()) -> str:
        """The run id with the grid lists named in ``hidden`` shown as ``x``: the id of the
        group of runs that differ only in those lists (see bundles.py)."""
        seed = "x" if "seeds" in hidden else self.seed
        augmentation = "x" if "augmentations" in hidden else self.augmentation
        fold = "" if self.fold is None else f"fold~{'x' if 'folds' in hidden else self.fold}/"
        return (
            f"{self.dataset}/{self.model}/aug~{augmentation}/"
            f"proxy~{self._proxy_token(hidden)}/{fold}seed~{seed}"
        )

    @property
    def control_id(self) -> str:
        """The same run (fold and seed included) with the proxy step switched off."""
        return RunSpec(
            self.dataset,
            self.model,
            self.augmentation,
            self.schedule,
            self.seed,
            None,
            self.resplit_each_round,
            self.fold,
        ).run_id

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.fold is None:  # a run without folds keeps the spec (and inputs record) it had
            del data["fold"]
        data["schedule"] = list(self.schedule)
        data["run_id"] = self.run_id
        return data


def expand_grid(params: dict[str, Any]) -> list[RunSpec]:
    """Every run the grid declares, each once, in a stable order."""
    return list(_runs_by_id(_grid_key(params)).values())


def runs_by_id(params: dict[str, Any]) -> dict[str, RunSpec]:
    return dict(_runs_by_id(_grid_key(params)))


def find_run(params: dict[str, Any], run_id: str) -> RunSpec:
    runs = _runs_by_id(_grid_key(params))
    if run_id not in runs:
        raise KeyError(f"run {run_id!r} is not in the grid of params.yaml")
    return runs[run_id]


def _grid_key(params: dict[str, Any]) -> str:
    resplit = params["train"]["resplit_each_round"]
    folds = grid_folds(params)
    return json.dumps({"grid": params["grid"], "resplit": resplit, "folds": folds}, sort_keys=True)


def grid_folds(params: dict[str, Any]) -> list[int | None]:
    """The folds every run is crossed with: [None] without folds (split.folds 1), else
    grid.folds or every fold."""
    count = params["split"].get("folds", 1)
    if count == 1:
        return [None]
    chosen = params["grid"].get("folds")
    return list(range(count)) if chosen is None else list(chosen)


# The Snakefile asks for runs many times while planning; the thesis grid's 21,690 runs take a
# third of a second to expand, so each distinct grid is expanded once per process.
@functools.lru_cache(maxsize=8)
def _runs_by_id(key: str) -> dict[str, RunSpec]:
    config = json.loads(key)
    grid, resplit, folds = config["grid"], config["resplit"], config["folds"]
    proxies = _proxy_settings(grid["proxy"])
    runs: dict[str, RunSpec] = {}
    for dataset, model, augmentation, schedule, fold, seed in itertools.product(
        grid["datasets"],
        grid["models"],
        grid["augmentations"],
        grid["schedules"],
        folds,
        grid["seeds"],
    ):
        schedule = parse_schedule(schedule)
        variants: list[ProxySettings | None] = [None]
        if "p" in schedule:
            variants += proxies
        for proxy in variants:
            spec = RunSpec(dataset, model, augmentation, schedule, seed, proxy, resplit, fold)
            known = runs.setdefault(spec.run_id, spec)
            if _trains(known) != _trains(spec):
                raise ValueError(
                    f"grid: schedules {list(known.schedule)} and {list(spec.schedule)} both "
                    f"give the run id {spec.run_id!r}; make the grid lists distinct"
                )
    for spec in _leak_twins(grid, proxies, folds):
        runs.setdefault(spec.run_id, spec)
    return runs


def _leak_twins(
    grid: dict[str, Any], proxies: list[ProxySettings], folds: list[int | None]
) -> list[RunSpec]:
    """grid.leak_check: every proxy variant of its schedules with a fixed split and re-split each
    round, same seeds. Their gap between validation and test accuracy measures the original
    protocol's leak (report/leak.py); they need no controls, so none are added."""
    leak = grid["leak_check"]
    if not leak:  # {}: no leak check
        return []
    return [
        RunSpec(dataset, model, augmentation, parse_schedule(schedule), seed, proxy, resplit, fold)
        for dataset, model, augmentation, schedule, fold, seed, proxy, resplit in itertools.product(
            grid["datasets"],
            grid["models"],
            leak["augmentations"],
            leak["schedules"],
            folds,
            grid["seeds"],
            proxies,
            (False, True),
        )
    ]


def _trains(spec: RunSpec) -> tuple:
    """What a run trains: two specs that agree here are the same run (a schedule's control
    with the proxy step off and the plain schedule of as many epochs share one id)."""
    same_epochs = spec.proxy is None and not spec.resplit_each_round
    schedule = total_epochs(spec.schedule) if same_epochs else spec.schedule
    return (
        spec.dataset, spec.model, spec.augmentation, schedule, spec.fold, spec.seed, spec.proxy
    )  # fmt: skip


def _proxy_settings(proxy: dict[str, Any]) -> list[ProxySettings]:
    return [
        ProxySettings(method, float(t), float(w), float(f), bool(c), mode)
        for method, t, w, f, c, mode in itertools.product(
            proxy["methods"],
            proxy["thresholds"],
            proxy["weights"],
            proxy["subsets"],
            proxy["clear_every_step"],
            proxy["modes"],
        )
    ]
