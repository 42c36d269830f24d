"""One proxy step end to end on worked values: a model whose loss grows with brightness, a
saliency map of ones, and blended proxies at weight 0.5, so each proxy halves its image. What
the overlay holds after each of three steps shows clear_every_step; the maps' targets show
`target: predicted` against `label`."""

import json

import numpy as np
import pytest
import torch
from torch import nn

from proxy_attention.data.views import ImageStore
from proxy_attention.grid import ProxySettings
from proxy_attention.proxy import step
from proxy_attention.proxy.artifacts import load_step
from proxy_attention.proxy.step import StepOptions, run_proxy_step

LEVELS = [200, 180, 160, 140]  # every image is one grey level; all are labelled 0


class SaysOne(nn.Module):
    """Always predicts class 1, more confidently the brighter the image: every image is
    misclassified, and the brightest have the highest loss."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        bright = images.mean(dim=(1, 2, 3))
        return torch.stack([-10 * bright, 10 * bright], dim=1)


@pytest.fixture
def targets(monkeypatch):
    """A saliency map of ones for every image; the targets each call explained."""
    seen = []

    def ones(model, images, targets, method, target_layer):
        seen.append(targets.tolist())
        return torch.ones(images.shape[0], *images.shape[2:])

    monkeypatch.setattr(step, "saliency_maps", ones)
    return seen


def three_steps(tmp_path, clear: bool, target: str = "predicted") -> list[dict[int, int]]:
    images = np.stack([np.full((4, 4, 3), level, np.uint8) for level in LEVELS])
    store = ImageStore(images, np.zeros(4, dtype=np.int64))
    settings = ProxySettings("gradcam", 0.5, 0.5, 0.5, clear_every_step=clear)  # tau, lambda, rho
    options = StepOptions("hardest", target, None, batch_size=1, contact_sheet_images=2)
    rng, cpu = np.random.default_rng(0), torch.device("cpu")
    held = []
    for k in range(1, 4):
        model, step_dir = SaysOne(), tmp_path / f"step-{k}"
        run_proxy_step(model, store, np.arange(4), settings, options, step_dir, rng, cpu)
        replaced = store.overlay.replaced()
        levels = store.read(replaced)[:, 0, 0, 0]
        held.append(dict(zip(replaced.tolist(), levels.tolist(), strict=True)))
    return held


def test_kept_proxies_are_proxied_again_from_their_current_version(tmp_path, targets):
    held = three_steps(tmp_path, clear=False)
    assert held == [
        {0: 100, 1: 90},  # the two brightest, halved
        {0: 100, 1: 90, 2: 80, 3: 70},  # now 160 and 140 are the brightest
        {0: 50, 1: 45, 2: 80, 3: 70},  # 100 and 90 again, halved from their proxies
    ]


def test_cleared_steps_start_from_the_originals_each_time(tmp_path, targets):
    assert three_steps(tmp_path, clear=True) == [{0: 100, 1: 90}] * 3
    assert np.load(tmp_path / "step-3" / "originals.npy")[:, 0, 0, 0].tolist() == [200, 180]


def test_the_maps_explain_the_predicted_class_or_the_label(tmp_path, targets):
    three_steps(tmp_path / "predicted", clear=True, target="predicted")
    assert targets == [[1]] * 6  # batches of one, two images a step, three steps
    targets.clear()
    three_steps(tmp_path / "label", clear=True, target="label")
    assert targets == [[0]] * 6
    assert load_step(tmp_path / "label" / "step-1")["targets"].tolist() == [0, 0]


def test_a_step_records_what_it_chose_and_writes_its_rows(tmp_path, targets):
    three_steps(tmp_path, clear=False)
    record = json.loads((tmp_path / "step-2" / "record.json").read_text())
    assert (record["misclassified"], record["train_size"], record["chosen"]) == (4, 4, 2)
    assert record["fraction_pixels_changed"] == 1.0  # a map of ones exceeds 0.5 everywhere
    assert record["settings"]["clear_every_step"] is False
    rows = load_step(tmp_path / "step-2")
    assert rows["indices"].tolist() == [2, 3]
    assert rows["images"][:, 0, 0, 0].tolist() == [80, 70]
    assert rows["maps"].shape == (2, 4, 4) and float(rows["maps"].min()) == 1.0
