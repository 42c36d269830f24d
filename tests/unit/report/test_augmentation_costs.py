"""Each augmentation's cost beside its accuracy: controls and proxy runs apart, time per image
and epoch against basic's."""

import pandas as pd

from proxy_attention.report.augmentation_costs import augmentation_costs, costs_table


def run(augmentation, proxy, seed, accuracy, seconds, epochs=3, train_size=100, control=True):
    control_id = f"{augmentation}/off/seed~{seed}" if control else f"{augmentation}/e1/seed~{seed}"
    return {
        "run_id": f"{augmentation}/{'proxy' if proxy else 'off'}/seed~{seed}",
        "control_id": control_id,
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
    # seed 1 has no proxy run: the control column is seed 0's control, its pair
    assert table.loc["snapmix", "control_accuracy"] == 0.80
    assert table.loc["snapmix", "proxy_accuracy"] == 0.70
    assert table.loc["snapmix", "cost"] == 3.0 and table.loc["snapmix", "seeds"] == 2
    assert table.loc["randaugment+cutmix", "cost"] == 2.0  # twice the epochs: per epoch
    assert pd.isna(table.loc["basic", "proxy_accuracy"])
    tex = costs_table(augmentation_costs(runs))
    assert r"digits & m & \texttt{snapmix} & 80.0 & 70.0 & 3.00\\" in tex
    assert r"\texttt{basic} & 60.0 & -- & 1.00\\" in tex
    assert "\\caption{Each augmentation's test accuracy" in tex  # the template's words


def test_proxy_runs_without_a_control_are_not_compared_and_controls_follow_their_pairs():
    runs = pd.DataFrame(
        [
            run("basic", False, 0, 0.90, 10.0),
            run("basic", False, 1, 0.80, 10.0),
            run("basic", True, 0, 0.86, 10.0),  # paired with seed 0's control
            # a leak-check run on a shorter schedule, whose control was never trained
            {**run("basic", True, 1, 0.50, 5.0, control=False), "run_id": "basic/leak/seed~1"},
        ]
    )
    table = augmentation_costs(runs).set_index("augmentation")
    assert table.loc["basic", "proxy_accuracy"] == 0.86
    assert table.loc["basic", "control_accuracy"] == 0.90  # the paired control, not 0.85
    assert "paired difference" in costs_table(augmentation_costs(runs))


def test_without_basic_the_ratio_is_a_dash():
    table = augmentation_costs(pd.DataFrame([run("gridmask", False, 0, 0.5, 3.0)]))
    assert pd.isna(table["cost"].iloc[0])
    assert r"\texttt{gridmask} & 50.0 & -- & --\\" in costs_table(table)
