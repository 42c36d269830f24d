"""A second build beside a running one is named in one line; dry runs pass (issue 26)."""

from __future__ import annotations

import pytest

from proxy_attention.concurrent_runs import check_no_other_build, takes_lock
from proxy_attention.errors import UserError
from tests.helpers.processes import fake_build


@pytest.mark.parametrize(
    ("argv", "locks"),
    [
        (["/p/.venv/bin/snakemake", "--cores", "2"], True),
        (["python", "-m", "snakemake", "all"], True),
        (["/p/site-packages/snakemake/__main__.py", "-c1"], True),
        (["/p/.venv/bin/snakemake", "-n"], False),
        (["/p/.venv/bin/snakemake", "-np"], False),
        (["/p/.venv/bin/snakemake", "all", "--rulegraph", "--nolock"], False),
        (["/p/.venv/bin/snakemake", "--unlock"], False),
        (["python", "-m", "pytest", "tests"], False),
    ],
)
def test_which_command_lines_are_builds(argv, locks):
    assert takes_lock(argv) is locks


def test_a_second_build_is_refused_naming_the_first(tmp_path):
    folder = str(tmp_path)
    with fake_build(tmp_path) as pid:
        with pytest.raises(UserError) as info:
            check_no_other_build(["/x/snakemake", "--cores", "2"], folder)
        assert str(info.value).startswith(
            f"another Snakemake build (pid {pid}) is running in {folder}; wait for it"
        )
        check_no_other_build(["/x/snakemake", "-n"], folder)  # a dry run may look
        check_no_other_build(["/x/snakemake", "--cores", "2"], str(tmp_path / "bin"))
    check_no_other_build(["/x/snakemake", "--cores", "2"], folder)  # it ended: go ahead
