"""split.folds and grid.folds: the fold axis of the run grid, and the grid without it unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxy_attention.bundles import bundles
from proxy_attention.grid import expand_grid
from proxy_attention.params import ParamsError, load_params, validate_params

ROOT = Path(__file__).resolve().parents[2]
# The run ids of params.yaml as the code before split.folds computed them, in grid order.
PARAMS_YAML_RUN_IDS = [
    "digits/mobilenetv3_small_100/aug~basic/proxy~off-e6/seed~0",
    "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-s3-p-2/seed~0",
    "digits/mobilenetv3_small_100/aug~basic/proxy~off-e6/seed~1",
    "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-s3-p-2/seed~1",
    "digits/mobilenetv3_small_100/aug~basic/proxy~off-e6/seed~2",
    "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-s3-p-2/seed~2",
    "digits/mobilenetv3_small_100/aug~cutmix/proxy~off-e6/seed~0",
    "digits/mobilenetv3_small_100/aug~cutmix/proxy~gradcampp-t0.6-w0.8-f0.5-s3-p-2/seed~0",
    "digits/mobilenetv3_small_100/aug~cutmix/proxy~off-e6/seed~1",
    "digits/mobilenetv3_small_100/aug~cutmix/proxy~gradcampp-t0.6-w0.8-f0.5-s3-p-2/seed~1",
    "digits/mobilenetv3_small_100/aug~cutmix/proxy~off-e6/seed~2",
    "digits/mobilenetv3_small_100/aug~cutmix/proxy~gradcampp-t0.6-w0.8-f0.5-s3-p-2/seed~2",
    "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-sp-p-1/seed~0",
    "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-sp-p-1-resplit/seed~0",
    "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-sp-p-1/seed~1",
    "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-sp-p-1-resplit/seed~1",
    "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-sp-p-1/seed~2",
    "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-sp-p-1-resplit/seed~2",
]


def test_without_folds_the_run_ids_of_params_yaml_are_unchanged():
    runs = expand_grid(load_params(ROOT / "params.yaml"))
    assert [spec.run_id for spec in runs] == PARAMS_YAML_RUN_IDS
    assert all(spec.fold is None and "fold" not in spec.as_dict() for spec in runs)


def _folded(params, folds=5, chosen=None):
    params["split"]["folds"] = folds
    params["grid"].update(augmentations=["basic"], seeds=[0, 1], folds=chosen)
    params["figures"]["pairs"] = None  # the fixture's pair has no fold
    return validate_params(params)


def test_folds_are_crossed_like_seeds_and_a_control_keeps_its_fold(params):
    runs = expand_grid(_folded(params))
    assert len(runs) == 2 * 5 * 2  # control and proxy, 5 folds, 2 seeds
    proxy = next(s for s in runs if s.proxy is not None and s.fold == 2 and s.seed == 1)
    assert proxy.run_id.endswith("-s3-p-2/fold~2/seed~1")
    assert proxy.control_id == ("digits/mobilenetv3_small_100/aug~basic/proxy~off-e6/fold~2/seed~1")
    assert proxy.as_dict()["fold"] == 2


def test_grid_folds_picks_folds(params):
    runs = expand_grid(_folded(params, chosen=[0, 3]))
    assert sorted({spec.fold for spec in runs}) == [0, 3]


def test_folds_can_be_trained_together(params):
    params["grid"]["train_together"] = ["folds", "seeds"]
    grouped = bundles(_folded(params))
    assert len(grouped) == 2 and all(len(ids) == 10 for ids in grouped.values())
    assert all(bundle.endswith("/fold~x/seed~x") for bundle in grouped)


@pytest.mark.parametrize(
    ("folds", "chosen", "message"),
    [
        (1, [0], r"grid.folds = \[0\] but split.folds = 1 makes no folds; set split.folds"),
        (3, [1, 3], r"grid.folds = \[1, 3\] names fold 3, but split.folds = 3 makes folds 0 to 2"),
    ],
)
def test_folds_the_split_does_not_make_stop_validation(params, folds, chosen, message):
    with pytest.raises(ParamsError, match=message):
        _folded(params, folds, chosen)
