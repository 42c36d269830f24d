"""benchmarks/gpu_check.py needs CUDA; without it it stops with one line, writing nothing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_without_cuda_the_gpu_check_stops_with_one_line(tmp_path):
    out = tmp_path / "gpu_check.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gpu_check.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        # no nvidia-smi on PATH and no device for CUDA: a GPU machine looks GPU-less here too
        env={**os.environ, "PATH": os.path.dirname(sys.executable), "CUDA_VISIBLE_DEVICES": ""},
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "gpu_check: no CUDA device: no NVIDIA GPU is visible (nvidia-smi lists none);"
        " run it on a machine with a GPU"
    ]
    assert not out.exists()


def test_the_estimate_check_passes_within_25_percent_and_fails_outside():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from gpu_check import prediction_ratio

    assert prediction_ratio(12.0, 10.0) == {
        "measured_over_predicted": 1.2,
        "within_25_percent": True,
    }
    assert not prediction_ratio(13.0, 10.0)["within_25_percent"]
    assert not prediction_ratio(7.5, 10.0)["within_25_percent"]
    assert prediction_ratio(8.0, 10.0)["within_25_percent"]
