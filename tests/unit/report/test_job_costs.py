"""The cost table of Snakemake's report, from files in the format of its benchmark directive."""

import pandas as pd
import pytest

from proxy_attention.errors import UserError
from proxy_attention.report.job_costs import cost_per_rule, read_benchmarks, write_job_costs

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def benchmark(path, seconds, rss, cpu):
    path.parent.mkdir(parents=True, exist_ok=True)
    row = [seconds, f"0:00:{int(seconds):02d}", rss, 1, 1, 1, 0, 0, 50, cpu]
    path.write_text(HEADER + "\t".join(str(value) for value in row) + "\n")


def test_cost_per_rule_sums_jobs_and_keeps_the_peak_memory(tmp_path):
    bench = tmp_path / "benchmarks"
    benchmark(bench / "train" / "digits" / "a" / "seed~0.tsv", 10.5, 300.0, 9.0)
    benchmark(bench / "train" / "digits" / "a" / "seed~1.tsv", 20.5, 500.0, 19.0)
    benchmark(bench / "thesis" / "thesis.tsv", 4.0, "-", "-")  # too short for Snakemake to sample
    table = cost_per_rule(read_benchmarks(bench)).set_index("rule")
    assert table.loc["train", "jobs"] == 2
    assert table.loc["train", "total_s"] == pytest.approx(31.0)
    assert table.loc["train", "mean_s"] == pytest.approx(15.5)
    assert table.loc["train", "max_s"] == pytest.approx(20.5)
    assert table.loc["train", "cpu_s"] == pytest.approx(28.0)
    assert table.loc["train", "peak_rss_mb"] == pytest.approx(500.0)
    assert table.loc["thesis", "total_s"] == pytest.approx(4.0)
    assert pd.isna(table.loc["thesis", "peak_rss_mb"])
    assert list(table.index) == ["train", "thesis"]  # costliest first


def test_write_job_costs_writes_csv_and_html(tmp_path):
    benchmark(tmp_path / "b" / "prepare" / "digits.tsv", 3.25, 100.0, 2.0)
    write_job_costs(tmp_path / "b", tmp_path / "costs.csv", tmp_path / "costs.html")
    assert pd.read_csv(tmp_path / "costs.csv")["total_s"].tolist() == [3.25]
    html = (tmp_path / "costs.html").read_text()
    assert "1 jobs, 3 s" in html and "<td>prepare</td>" in html


def test_no_benchmark_files_is_one_clear_error(tmp_path):
    with pytest.raises(UserError, match="no benchmark files under .*run the pipeline"):
        read_benchmarks(tmp_path)
