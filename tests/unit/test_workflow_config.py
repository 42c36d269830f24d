"""Which params file a Snakemake invocation means (--configfile, --config params=, default)."""

import pytest

from proxy_attention.workflow_config import ConfigError, params_file_for


def test_the_default_is_params_yaml():
    assert params_file_for({}, []) == "params.yaml"


def test_config_params_names_the_file():
    assert params_file_for({"params": "workflow/configs/thesis.yaml"}, []) == (
        "workflow/configs/thesis.yaml"
    )


def test_configfile_names_the_file():
    assert params_file_for({}, ["workflow/configs/cifar100.yaml"]) == (
        "workflow/configs/cifar100.yaml"
    )


def test_another_config_key_stops_with_the_key_and_the_fix():
    with pytest.raises(ConfigError, match=r"--config grid=\.\.\. is not read .* --configfile"):
        params_file_for({"grid": "{datasets: [x]}"}, [])


def test_two_configfiles_or_configfile_and_params_stop():
    with pytest.raises(ConfigError, match="give one complete params file"):
        params_file_for({}, ["a.yaml", "b.yaml"])
    with pytest.raises(ConfigError, match="give one of them"):
        params_file_for({"params": "a.yaml"}, ["b.yaml"])


def test_an_absolute_configfile_inside_the_project_is_given_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inside = str(tmp_path / "workflow" / "configs" / "x.yaml")
    assert params_file_for({}, [inside]) == "workflow/configs/x.yaml"
    assert params_file_for({}, ["/elsewhere/x.yaml"]) == "/elsewhere/x.yaml"


@pytest.mark.parametrize("empty", ["", None, "  "])
def test_an_empty_params_value_is_refused_not_read_as_params_yaml(empty):
    with pytest.raises(ConfigError, match="--config params= names no file; give one"):
        params_file_for({"params": empty}, [])
