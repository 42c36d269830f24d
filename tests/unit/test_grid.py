"""Grid expansion: counts, stable readable run ids, controls, and additivity."""

import copy

from proxy_attention.grid import expand_grid, find_run
from proxy_attention.schedule import iter_epochs, proxy_epochs, total_epochs


def test_schedule_arithmetic():
    schedule = (5, "p", 9, "p", 9, "p", 9, "p", 4)
    assert total_epochs(schedule) == 40
    assert proxy_epochs(schedule) == [6, 16, 26, 36]
    assert [e for e, _ in iter_epochs(schedule)] == list(range(1, 41))


def test_counts_and_controls(params):
    params["grid"].update(
        augmentations=["basic", "cutmix"], schedules=[[4], [2, "p", 1]], seeds=[0, 1, 2]
    )
    params["grid"]["proxy"].update(thresholds=[0.5, 0.85], weights=[0.1, 0.8])
    runs = expand_grid(params)
    # per (augmentation, seed): one control shared by [4] and [2, p, 1] + 4 proxy variants
    assert len(runs) == 2 * 3 * (1 + 4)
    ids = [r.run_id for r in runs]
    assert len(set(ids)) == len(ids)
    proxy_run = next(r for r in runs if r.proxy is not None)
    assert proxy_run.control_id in ids
    assert find_run(params, proxy_run.control_id).proxy is None


def test_run_ids_are_readable_and_stable(params):
    params["grid"].update(schedules=[[5, "p", 9, "p", 9, "p", 9, "p", 4]], seeds=[0])
    params["grid"]["proxy"].update(thresholds=[0.85], weights=[0.1], subsets=[0.2])
    ids = [r.run_id for r in expand_grid(params)]
    assert ids == [
        "digits/mobilenetv3_small_100/aug~basic/proxy~off-e40/seed~0",
        "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-t0.85-w0.1-f0.2-s5-p-9-p-9-p-9-p-4/seed~0",
        "digits/mobilenetv3_small_100/aug~cutmix/proxy~off-e40/seed~0",
        "digits/mobilenetv3_small_100/aug~cutmix/proxy~gradcampp-t0.85-w0.1-f0.2-s5-p-9-p-9-p-9-p-4/seed~0",
    ]
    assert [r.run_id for r in expand_grid(copy.deepcopy(params))] == ids


def test_adding_a_value_only_adds_runs(params):
    before = {r.run_id for r in expand_grid(params)}
    params["grid"]["seeds"].append(7)
    params["grid"]["proxy"]["weights"].append(0.95)
    after = {r.run_id for r in expand_grid(params)}
    assert before < after
    assert all("seed~7" in r or "-w0.95-" in r for r in after - before)


def test_resplit_runs_are_marked_and_keep_their_schedule(params):
    params["train"]["resplit_each_round"] = True
    params["grid"].update(schedules=[[3, "p", 2]], augmentations=["basic"], seeds=[0])
    ids = [r.run_id for r in expand_grid(params)]
    assert all(i.split("/")[3].endswith("-resplit") for i in ids)
    assert "proxy~off-s3-p-2-resplit" in ids[0]
