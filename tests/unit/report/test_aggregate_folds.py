"""runs.csv with folds: the fold is a column, and a variant is everything but fold and seed."""

from __future__ import annotations

from proxy_attention.grid import ProxySettings, RunSpec
from proxy_attention.report.aggregate import NO_FOLD, spec_columns, variant_id

PROXY = ProxySettings("gradcampp", 0.6, 0.8, 0.5)


def test_a_variant_leaves_out_the_fold_and_the_seed():
    spec = RunSpec("digits", "m", "basic", (1, "p", 1), 0, PROXY, fold=3)
    columns = spec_columns(spec.as_dict(), spec.control_id)
    assert columns["fold"] == 3 and columns["seed"] == 0
    assert columns["variant"] == "digits/m/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-s1-p-1"
    assert columns["control_id"] == "digits/m/aug~basic/proxy~off-e3/fold~3/seed~0"


def test_a_run_without_folds_has_no_fold_and_its_old_variant():
    spec = RunSpec("digits", "m", "basic", (1, "p", 1), 2, PROXY)
    columns = spec_columns(spec.as_dict(), spec.control_id)
    assert columns["fold"] == NO_FOLD
    assert variant_id({"run_id": spec.run_id}) == spec.run_id.rsplit("/seed~", 1)[0]
