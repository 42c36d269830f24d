"""Each augmentation's cost beside its accuracy: controls and proxy runs apart, time per image
and epoch against basic's."""

import pandas as pd

from proxy_attention.report.augmentation_costs import augmentation_costs, costs_table


def run(augmentation, proxy, seed, accuracy, seconds, epochs=3, train_size=100):
    return {
        "dataset": "digits",
        "model": "m",
        "augmentation": augmentation,
        "proxy": proxy,
        "seed": seed,
        "resplit_each_round": False,
        "test_accuracy": accuracy,
        "train_seconds": seconds,
        "epochs": epochs,
        "train_size": train_size,
    }


def test_cost_is_time_per_image_epoch_against_basic_and_accuracy_is_per_arm():
    runs = pd.DataFrame(
        [
            run("snapmix", False, 0, 0.80, 30.0),
            run("snapmix", False, 1, 0.90, 30.0),
            run("snapmix", True, 0, 0.70, 33.0),
            run("basic", False, 0, 0.60, 10.0),
            run("randaugment+cutmix", False, 0, 0.5, 40.0, epochs=6),
        ]
    )
    table = augmentation_costs(runs).set_index("augmentation")
    assert list(table.index) == ["basic", "snapmix", "randaugment+cutmix"]  # registry order
    assert abs(table.loc["snapmix", "control_accuracy"] - 0.85) < 1e-12
    assert table.loc["snapmix", "proxy_accuracy"] == 0.70
    assert table.loc["snapmix", "cost"] == 3.0 and table.loc["snapmix", "seeds"] == 2
    assert table.loc["randaugment+cutmix", "cost"] == 2.0  # twice the epochs: per epoch
    assert pd.isna(table.loc["basic", "proxy_accuracy"])
    tex = costs_table(augmentation_costs(runs))
    assert r"digits & m & \texttt{snapmix} & 85.0 & 70.0 & 3.00\\" in tex
    assert r"\texttt{basic} & 60.0 & -- & 1.00\\" in tex
    assert "\\caption{Each augmentation's test accuracy" in tex  # the template's words


def test_without_basic_the_ratio_is_a_dash():
    table = augmentation_costs(pd.DataFrame([run("gridmask", False, 0, 0.5, 3.0)]))
    assert pd.isna(table["cost"].iloc[0])
    assert r"\texttt{gridmask} & 50.0 & -- & --\\" in costs_table(table)
