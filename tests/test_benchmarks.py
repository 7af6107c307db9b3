"""Fast tier: the benchmark page (docs/benchmarks.md) is written correctly from made-up
numbers. Nothing here times anything: timings on a shared machine are too noisy to assert."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from benchmarks import run
from benchmarks.table import Figure, Report, render, timed
from benchmarks.timing import Sample, Timing, repeat


def page(figures, packages=()):
    report = Report(
        machine={"cores": "2", "os": "Linux 6.1 (x86_64)", "python": "3.11.7"},
        load_start=(1.5, 1.25, 1.0),
        load_end=(3.0, 2.0, 1.0),
        started="2026-11-24 12:20 UTC",
        figures=list(figures),
        packages=list(packages),
        notes=["Made-up numbers."],
    )
    return render(report)


def table_rows(markdown: str) -> list[list[str]]:
    """The body cells of every table on the page, as the Markdown renderer sees them."""
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL)
        if "<td" in row
    ]


def test_each_figure_shows_its_value_target_and_verdict():
    markdown = page(
        [
            Figure("Render ratio", 1.5, "x", 2.0, "paired runs"),
            timed("No-op rerun", Sample([2.4, 2.6, 2.5], [0.9, 1.1, 1.0]), 2.0),
            Figure("Study environment", 548.4, "MB"),
        ]
    )
    rows = {row[0]: row for row in table_rows(markdown)}
    assert rows["Render ratio"][1:4] == ["1.50x", "&lt;= 2.00x", "met"]
    assert rows["No-op rerun"][1:5] == ["2.50 s", "&lt;= 2.00 s", "missed", "1.00 s"]
    assert "median of 3, range 2.40-2.60 s" in rows["No-op rerun"][5]
    assert rows["Study environment"][1:5] == ["548 MB", "", "", ""]
    assert "Missed: No-op rerun." in markdown


def test_a_page_with_every_target_met_says_so():
    markdown = page([Figure("Render ratio", 1.2, "x", 2.0)])
    assert "Every figure with a target meets it." in markdown
    assert "Missed" not in markdown


def test_a_benchmark_that_could_not_run_is_named_on_the_page():
    report = Report(
        machine={"cores": "2"},
        load_start=(1.0, 1.0, 1.0),
        load_end=(1.0, 1.0, 1.0),
        started="2026-11-24 12:20 UTC",
        figures=[Figure("Render ratio", 1.2, "x", 2.0)],
        failures=["first result, cold cache: `make setup` failed with 2"],
    )
    assert "Not measured (the command failed): first result, cold cache" in render(report)


def test_the_machine_and_its_load_are_recorded():
    rows = {row[0]: row[1] for row in table_rows(page([Figure("x", 1.0, "s")]))}
    assert rows["cores"] == "2"
    assert rows["python"] == "3.11.7"
    assert rows["load average (1/5/15 min) at start"] == "1.50 / 1.25 / 1.00"
    assert rows["load average (1/5/15 min) at end"] == "3.00 / 2.00 / 1.00"


def test_the_largest_packages_are_listed_in_megabytes():
    packages = [("scipy", 114_000_000), ("numpy", 57_400_000)]
    rows = table_rows(page([Figure("x", 1.0, "s")], packages))
    assert ["scipy", "114 MB"] in rows
    assert ["numpy", "57 MB"] in rows


def test_the_warm_up_run_is_not_counted_and_the_median_is_reported():
    # The warm-up (100 s) must not count.
    durations = iter([Timing(100.0, 50.0), Timing(3.0, 1.5), Timing(1.0, 0.5), Timing(2.0, 9.0)])
    samples = repeat(lambda: {"step": next(durations)}, runs=3)
    assert samples["step"].seconds == [3.0, 1.0, 2.0]
    assert samples["step"].median == 2.0
    assert samples["step"].cpu == 1.5


def test_a_partial_run_prints_instead_of_overwriting_the_published_page():
    assert run.arguments(["--only", "render"]).output == "-"
    assert run.arguments([]).output == str(run.PAGE)


def test_the_published_page_names_its_command_without_this_machines_paths():
    words = ["--ccds", "/home/me/clones/ccds", "--runs", "3", "--only", "render,setting"]
    words += ["--output", "docs/benchmarks.md"]
    said = run.page_command(run.arguments(words), words)
    assert said == (
        'make bench CCDS=<a clone of cookiecutter-data-science> BENCH_ARGS="--runs 3 '
        '--only render,setting"'
    )
    assert run.page_command(run.arguments([]), []) == "make bench"


def test_an_unknown_benchmark_name_is_refused():
    with pytest.raises(SystemExit):
        run.arguments(["--only", "render,typo"])


def test_the_capped_runs_numbers_reach_the_main_page(tmp_path):
    capped = tmp_path / "benchmarks-larger-than-memory.md"
    assert run.capped_run_note(capped) == []  # not measured yet: nothing claimed
    capped.write_text(
        "| compute | settings | outcome | time (s) | peak memory (MiB) | peak rss (MiB) |\n"
        "|---|---|---|---|---|---|\n"
        "| dask | train_rows: 100 | write-up made | 150 | 1024 | 756 |\n"
        "| pandas | defaults | killed by the cap | 13 | 1024 | 987 |\n"
    )
    [note] = run.capped_run_note(capped)
    assert "dask: write-up made in 150 s, peak 756 MiB" in note
    assert "pandas: killed by the cap in 13 s, peak 987 MiB" in note
