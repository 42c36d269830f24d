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
FOLDS_CONFIG = "hymenoptera_folds"
COMPARISON_CONFIG = "comparison"


def test_every_download_source_has_a_config():
    assert set(PER_DATASET) == set(SOURCES) - {"digits", "folder"}
    configs = {p.stem for p in CONFIGS.glob("*.yaml")}
    assert configs == {*PER_DATASET, "thesis", FOLDS_CONFIG, COMPARISON_CONFIG}


def test_the_comparison_config_runs_every_augmentation_with_and_without_the_proxy():
    from proxy_attention.augment import AUGMENTATIONS

    params = load_params(CONFIGS / f"{COMPARISON_CONFIG}.yaml")
    assert params["grid"]["augmentations"][: len(AUGMENTATIONS)] == list(AUGMENTATIONS)
    runs = expand_grid(params)
    ids = {run.run_id for run in runs}
    proxies = [run for run in runs if run.proxy is not None]
    assert len(proxies) * 2 == len(runs) and all(run.control_id in ids for run in proxies)
    assert {run.augmentation for run in proxies} == set(params["grid"]["augmentations"])
    epochs = sum(total_epochs(run.schedule) for run in runs)
    dataset = params["datasets"]["imagenette"]
    train = split_counts(DATASET_SIZES["imagenette"], dataset, params["split"])["train"]
    # Twice a per-dataset config's budget: a few hours more on one GPU (`estimate` prints it).
    assert epochs * train <= 2 * MAX_IMAGE_EPOCHS


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


def test_the_folds_config_crosses_five_folds_of_the_ant_and_bee_photos():
    params = load_params(CONFIGS / f"{FOLDS_CONFIG}.yaml")
    entry = params["datasets"]["hymenoptera"]
    assert entry["source"] == "folder" and entry["url"].endswith("/hymenoptera_data.zip")
    assert params["split"]["folds"] == 5 and params["grid"]["folds"] is None
    assert params["report"]["estimate"] == f"workflow/configs/{FOLDS_CONFIG}.yaml"
    runs = expand_grid(params)
    assert sorted({spec.fold for spec in runs}) == [0, 1, 2, 3, 4]
    assert len(runs) == 10  # control and proxy on each fold, one seed
    proxy = [spec for spec in runs if spec.proxy is not None]
    assert {spec.control_id for spec in proxy} == {s.run_id for s in runs if s.proxy is None}
