"""`estimate --also`: one call prints the cost of several configs (the thesis' and the
augmentation comparison's)."""

from proxy_attention import estimate
from proxy_attention.cli import main
from tests.helpers.repo import ROOT


def test_estimate_prints_each_config_it_is_given(monkeypatch, capsys):
    seen = []

    def fake_estimate(params):
        seen.append(params["grid"]["augmentations"])
        return len(seen)

    monkeypatch.setattr(estimate, "estimate", fake_estimate)
    monkeypatch.setattr(estimate, "format_estimate", lambda result: f"table {result}")
    thesis, comparison = (
        ROOT / "workflow" / "configs" / f"{n}.yaml" for n in ("thesis", "comparison")
    )
    assert main(["estimate", "--params", str(thesis), "--also", str(comparison)]) in (0, None)
    out = capsys.readouterr().out
    assert f"{thesis}:\ntable 1" in out and f"{comparison}:\ntable 2" in out
    assert seen[0] == ["basic"] and "puzzlemix" in seen[1]
