"""The ready configs under workflow/configs/: valid, one dataset and one model each, and small
enough that one GPU finishes them in hours."""

from pathlib import Path

import pytest

from proxy_attention.data.sources import SOURCES
from proxy_attention.estimate import DATASET_SIZES, split_counts
from proxy_attention.grid import expand_grid
from proxy_attention.params import load_params
from proxy_attention.schedule import total_epochs

CONFIGS = Path(__file__).resolve().parents[2] / "workflow" / "configs"
PER_DATASET = [
    "cifar100",
    "stanford_dogs",
    "imagenette",
    "asl_alphabet",
    "food101",
    "plant_village",
]
# Assuming at least 1,500 training images/s for resnet18 at 224 px under AMP on one GPU, 15 million
# image-epochs are under three hours.
MAX_IMAGE_EPOCHS = 15_000_000


def test_every_download_source_has_a_config():
    assert set(PER_DATASET) == set(SOURCES) - {"digits", "folder"}
    assert {p.stem for p in CONFIGS.glob("*.yaml")} == {*PER_DATASET, "thesis"}


@pytest.mark.parametrize("name", PER_DATASET)
def test_a_dataset_config_is_valid_small_and_names_itself(name):
    params = load_params(CONFIGS / f"{name}.yaml")
    assert list(params["datasets"]) == params["grid"]["datasets"] == [name]
    assert params["datasets"][name]["source"] == name
    assert len(params["grid"]["models"]) == 1 and params["train"]["device"] == "auto"
    assert params["report"]["estimate"] == f"workflow/configs/{name}.yaml"
    runs = expand_grid(params)
    assert any(spec.proxy is not None for spec in runs) and len(runs) <= 12
    train = split_counts(DATASET_SIZES[name], params["datasets"][name], params["split"])["train"]
    image_epochs = sum(total_epochs(spec.schedule) for spec in runs) * train
    assert 0 < image_epochs <= MAX_IMAGE_EPOCHS
