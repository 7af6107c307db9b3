"""The real-table corpus (tests/realtables.py) writes what it claims, and the memory cap bites.

Each table is written into a temporary folder and read back with its own read settings; every
fact the registry states (rows, columns, target, missing targets, identifiers, dates, free
text, constants, leaks, class shares) is checked against the file, so a study test that relies
on a fact relies on something true. Fast tier: writing and reading the whole corpus, the
336,776-row flights table included, takes a few seconds.
"""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from realtables import BY_NAME, TABLES, memory_cgroup_available, run_capped

MiB = 2**20


def as_written(table, path) -> pd.DataFrame:
    """Every value of the file as the text written in it (no value read as missing)."""
    if table.is_parquet:
        return pd.read_parquet(path).astype(str)
    if table.is_spreadsheet:
        return pd.read_excel(path, engine="calamine", dtype=str, keep_default_na=False)
    return pd.read_csv(path, **table.read, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Every table of the corpus, written once: name -> (table, path, frame as read back)."""
    folder = tmp_path_factory.mktemp("realtables")
    corpus = {}
    for table in TABLES:
        path = table.write(folder)
        corpus[table.name] = (table, path, table.load(path))
    return corpus


def test_corpus_covers_the_kinds_of_table_the_issue_names():
    assert len(TABLES) >= 10
    assert len(BY_NAME) == len(TABLES), "table names must be unique"
    assert any(t.categorical for t in TABLES), "a table of only categorical columns"
    assert any(t.identifiers for t in TABLES), "a table with an id column"
    assert any(t.dates and not t.is_parquet for t in TABLES), "a CSV with dates"
    assert any(t.dates and t.is_parquet for t in TABLES), "a Parquet file with a datetime column"
    assert any(t.free_text for t in TABLES), "a free-text column"
    assert any(t.rows >= 300_000 for t in TABLES), "a table of 300k+ rows"
    assert any(t.rarest_class and t.rarest_class[1] < 0.10 for t in TABLES), "a rare class"
    assert any(t.task == "regression" and t.target_range == (0, 89) for t in TABLES), "counts"
    assert any(t.read.get("decimal") == "," for t in TABLES), "a decimal-comma export"
    assert any(t.read.get("encoding") == "latin-1" for t in TABLES), "a Latin-1 file"
    # Issue #24: the next shapes learners bring.
    assert any(t.is_spreadsheet and len(t.sheets) > 1 for t in TABLES), "a workbook of sheets"
    assert any(t.filename.endswith(".tsv") for t in TABLES), "tab-separated text"
    assert any(t.filename.endswith(".txt") for t in TABLES), "a .txt table"
    for suffix in (".gz", ".bz2", ".zip", ".xz"):
        assert any(t.filename.endswith(suffix) for t in TABLES), f"compressed CSV ({suffix})"
    codes = {code for t in TABLES for found in t.missing_codes.values() for code in found}
    assert {"?", "N/A", "-9999"} <= codes, "codes for unknown: text and a numeric sentinel"
    marks = {m for t in TABLES for found in t.numbers_from_text.values() for m in found}
    assert {"thousands separators", "currency signs"} <= marks, "numbers as spreadsheets write"
    assert any(t.small for t in TABLES), "a small table"
    assert any(t.entity and t.study for t in TABLES), "a panel: an entity seen over time"
    assert any(t.within_entity and not t.time for t in TABLES), "repeated measures, no date"
    assert any(len(t.time) == 2 for t in TABLES), "a year and a quarter as numbers"
    assert any(t.text_used for t in TABLES), "a table whose only informative column is text"


@pytest.mark.parametrize("name", [t.name for t in TABLES])
def test_table_is_written_with_the_facts_it_states(written, name):
    table, path, frame = written[name]
    assert path.is_file() and path.name == table.filename
    assert frame.shape == (table.rows, table.columns)
    assert table.target in frame.columns
    target = frame[table.target]
    if table.target in table.numbers_from_text:  # "$1,499": the number a reader sees
        target = pd.to_numeric(target.str.replace(r"[$,]", "", regex=True))
    assert int(target.isna().sum()) == table.missing_target

    if table.task == "classification":
        shares = target.astype(str).value_counts(normalize=True)
        label, share = table.rarest_class
        assert shares.idxmin() == label
        assert shares.min() == pytest.approx(share, abs=5e-4)
    else:
        assert pd.api.types.is_numeric_dtype(target)
    if table.target_range is not None:
        low, high = table.target_range
        assert (target.min(), target.max()) == pytest.approx((low, high), abs=1e-3)

    for column in table.identifiers:
        values = frame[column]
        assert values.notna().all() and values.nunique() >= 0.99 * len(frame), column
    for column in table.dates:
        if table.is_parquet:
            assert pd.api.types.is_datetime64_any_dtype(frame[column]), column
        else:
            parsed = pd.to_datetime(frame[column], format="ISO8601")
            assert parsed.notna().all(), column
    for column in table.free_text:
        assert pd.api.types.is_string_dtype(frame[column]), column
        assert frame[column].nunique() >= min(1000, 0.9 * len(frame)), column
    for column in table.constant:
        assert frame[column].unique().size == 1, column
    for column in table.leaks:
        # Alone, the leak tracks the target almost exactly.
        assert frame[column].corr(target) > 0.9, column

    as_text = as_written(table, path)
    for column, codes in table.missing_codes.items():
        written = as_text[column].str.strip().value_counts()
        assert {code: int(written.get(code, 0)) for code in codes} == codes, column
    for column, marks in table.numbers_from_text.items():
        values = as_text[column]
        assert values.str.contains(",", regex=False).any(), column
        assert ("currency signs" in marks) == values.str.contains("$", regex=False).any(), column
    if table.entity:
        repeats = frame[table.entity].value_counts()
        assert repeats.min() >= 2 and len(repeats) >= 5, "each entity is seen several times"
        if table.panel:
            assert not frame.duplicated([table.entity, *table.time]).any(), "once per moment"
        if table.within_entity:
            assert not frame.duplicated([table.entity, table.within_entity]).any()
            assert frame[table.within_entity].value_counts().min() >= 5, "it repeats too"
    if table.time:
        moments = list(frame[list(table.time)].itertuples(index=False))
        assert (moments == sorted(moments)) == table.time_sorted
    assert table.small == (table.rows * 0.2 < 50)
    if table.is_spreadsheet:
        from python_calamine import CalamineWorkbook

        assert tuple(CalamineWorkbook.from_path(str(path)).sheet_names) == table.sheets

    features = frame.drop(columns=table.target)
    if table.categorical:
        assert sorted(features.columns) == sorted(table.categorical)
        assert all(features[c].nunique() <= 10 for c in features)
    if table.distinct_feature_rows is not None:
        assert len(features.drop_duplicates()) == table.distinct_feature_rows


def test_semicolon_export_is_one_column_without_its_read_settings(written):
    table, path, frame = written["budget_food_semicolon"]
    naive = pd.read_csv(path)
    assert naive.shape[1] == 1, "pandas' defaults see one column: the separator must be given"
    assert "," in path.read_text(encoding="utf-8").splitlines()[1]
    assert frame[table.target].dtype == "float64"


def test_latin1_file_is_not_utf8_and_holds_accented_text(written):
    _, path, frame = written["ess_norway_latin1"]
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert {"Trøndlet", "Agder og Sør-Østlandet"} <= set(frame["region"])


def test_run_capped_kills_a_process_over_its_cap_and_reports_the_peak(tmp_path):
    available, reason = memory_cgroup_available()
    if not available:
        pytest.skip(reason)
    limit = 100 * MiB
    # Building a 300 MiB string touches every page, so the memory is really used.
    greedy = run_capped(
        [sys.executable, "-c", "data = 'x' * (300 * 2**20); print('survived')"], tmp_path, limit
    )
    assert greedy.returncode in (-9, 137), greedy
    assert "survived" not in greedy.output
    assert 0.5 * limit < greedy.peak_bytes <= limit

    modest = run_capped(
        [sys.executable, "-c", "data = 'x' * (30 * 2**20); print('survived')"], tmp_path, limit
    )
    assert modest.returncode == 0, modest
    assert "survived" in modest.output
    assert 30 * MiB < modest.peak_bytes < limit
