"""Replacement overlay: 1:1 substitution, clear_every_step, and rebuilding from artifacts."""

import numpy as np

from proxy_attention.data.views import ImageStore, TrainingImages
from proxy_attention.proxy.artifacts import IMAGES, INDICES
from proxy_attention.proxy.overlay import ProxyOverlay, rebuild_overlay
from proxy_attention.proxy.step import proxy_overlay


def base_images(n=10):
    return np.stack([np.full((4, 4, 3), i, dtype=np.uint8) for i in range(n)])


def write_step(directory, indices, value):
    directory.mkdir(parents=True)
    np.save(directory / INDICES, np.array(indices))
    np.save(directory / IMAGES, np.full((len(indices), 4, 4, 3), value, dtype=np.uint8))
    return directory


def test_replaced_indices_read_proxies_and_the_size_never_changes(tmp_path):
    store = ImageStore(base_images(), np.zeros(10, dtype=np.int64), ProxyOverlay(10))
    view = TrainingImages(store, np.arange(10), transform=lambda x: x)
    store.overlay.apply_step(write_step(tmp_path / "step-01", [2, 7], 200))
    assert len(view) == 10
    assert view[2][0].unique().tolist() == [200] and view[7][0].unique().tolist() == [200]
    assert view[3][0].unique().tolist() == [3]
    batch = store.read(np.array([7, 1, 2]))
    assert [int(b[0, 0, 0]) for b in batch] == [200, 1, 200]


def test_clear_every_step_semantics_over_three_steps(tmp_path):
    write_step(tmp_path / "proxy" / "step-01", [1, 2], 101)
    write_step(tmp_path / "proxy" / "step-02", [2, 3], 102)
    write_step(tmp_path / "proxy" / "step-03", [4], 103)
    images = base_images()
    cleared = rebuild_overlay(tmp_path, 10, rounds=3, clear_every_step=True)
    assert cleared.replaced().tolist() == [4]
    kept = rebuild_overlay(tmp_path, 10, rounds=3, clear_every_step=False)
    assert kept.replaced().tolist() == [1, 2, 3, 4]
    values = [int(kept.image(i, images)[0, 0, 0]) for i in range(6)]
    assert values == [0, 101, 102, 102, 103, 5]  # a later step wins for index 2
    after_two = rebuild_overlay(tmp_path, 10, rounds=2, clear_every_step=True)
    assert after_two.replaced().tolist() == [2, 3]
    # Only the first ``rounds`` steps count, in step order: none before the first proxy step.
    assert rebuild_overlay(tmp_path, 10, rounds=0, clear_every_step=False).replaced().size == 0
    first = rebuild_overlay(tmp_path, 10, rounds=1, clear_every_step=False)
    assert [int(first.image(i, images)[0, 0, 0]) for i in range(4)] == [0, 101, 101, 3]


def test_a_store_without_overlay_reads_originals_until_the_proxy_step_gives_it_one(tmp_path):
    store = ImageStore(base_images(), np.zeros(10, dtype=np.int64))
    assert len(store.overlay) == 0
    assert [int(b[0, 0, 0]) for b in store.read(np.array([7, 1, 2]))] == [7, 1, 2]
    assert int(store.read_one(4)[0, 0, 0]) == 4
    overlay = proxy_overlay(store)
    assert store.overlay is overlay and proxy_overlay(store) is overlay  # installed once
    overlay.apply_step(write_step(tmp_path / "step-01", [1], 200))
    assert [int(b[0, 0, 0]) for b in store.read(np.array([7, 1, 2]))] == [7, 200, 2]
    assert len(store.overlay) == 1
