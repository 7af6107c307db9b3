"""A learner's own data: refused when the answers do not fit, tracked by DVC, never lost.

Fast tier: dataset answers that do not fit together are refused naming the field; the data
card, params.yaml, dvc.yaml and .dvc/config render from the answers; a local file is copied
in untouched. Full tier: a CSV served on 127.0.0.1 and a local CSV with missing values and
text columns (Palmer penguins) run end to end; the default local remote restores the data
byte for byte; each kind of bad data stops the pipeline with its own message.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import sys
import threading
from pathlib import Path

import pytest
import yaml
from conftest import PENGUINS_CSV
from cookiecutter.exceptions import FailedHookException

PENGUINS_SHA256 = hashlib.sha256(PENGUINS_CSV.read_bytes()).hexdigest()
URL = "https://example.org/data/penguins.csv"


def local_answers(path: Path, **more) -> dict:
    return {
        "dataset": "local_file",
        "dataset_location": str(path),
        "target_column": "species",
        "project_name": "Penguins",
        **more,
    }


def url_answers(url: str = URL, sha256: str = PENGUINS_SHA256, **more) -> dict:
    return {
        "dataset": "csv_url",
        "dataset_location": url,
        "dataset_sha256": sha256,
        "target_column": "species",
        "project_name": "Penguins",
        **more,
    }


def fingerprint(path: Path) -> tuple:
    """What would show that a file was touched: its bytes, size and modification time."""
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_size, stat.st_mtime_ns


@pytest.fixture
def penguins(tmp_path) -> Path:
    """The learner's own file, somewhere outside the study."""
    source = tmp_path / "downloads" / "penguins.csv"
    source.parent.mkdir()
    shutil.copyfile(PENGUINS_CSV, source)
    return source


# --- Fast tier: refusals -------------------------------------------------------------------

REFUSALS = [
    pytest.param(
        {"dataset": "csv_url", "dataset_sha256": PENGUINS_SHA256},
        "dataset_location",
        "needs the file's URL",
        id="url-without-url",
    ),
    pytest.param(url_answers(sha256=""), "dataset_sha256", "checksum", id="url-without-checksum"),
    pytest.param(
        url_answers(sha256="abc123"), "dataset_sha256", "checksum", id="url-with-a-short-checksum"
    ),
    pytest.param(
        url_answers(url="penguins.csv"),
        "dataset_location",
        "not an http(s) or ftp URL",
        id="url-that-is-no-url",
    ),
    pytest.param(
        local_answers(Path("/nowhere/penguins.csv")),
        "dataset_location",
        "points nowhere",
        id="local-file-pointing-nowhere",
    ),
    pytest.param(
        {"dataset": "local_file"},
        "dataset_location",
        "needs the file's full path",
        id="local-file-without-path",
    ),
    pytest.param(
        local_answers("penguins.csv"),
        "dataset_location",
        "relative path",
        id="local-file-relative-path",
    ),
    pytest.param(
        local_answers(PENGUINS_CSV.with_suffix(".json")),
        "dataset_location",
        "To convert it: with pandas: pandas.read_json(path).to_csv('table.csv', index=False)",
        id="local-file-not-a-table",
    ),
    pytest.param(
        local_answers(PENGUINS_CSV.with_suffix(".sav")),
        "dataset_location",
        "pandas.read_spss(path)",
        id="local-file-from-spss",
    ),
    pytest.param(
        local_answers(PENGUINS_CSV.with_suffix(".numbers")),
        "dataset_location",
        "File > Export To > CSV",
        id="local-file-from-apple-numbers",
    ),
    pytest.param(
        local_answers(PENGUINS_CSV, target_column="penguin_type"),
        "target_column",
        "columns are: species, island",
        id="local-file-without-the-target-column",
    ),
    pytest.param(
        local_answers(PENGUINS_CSV, dataset_sha256="0" * 64),
        "dataset_sha256",
        "does not match",
        id="local-file-with-another-files-checksum",
    ),
    pytest.param(
        {"dataset": "iris", "dataset_location": URL},
        "dataset_location",
        "only for your own data",
        id="bundled-with-a-location",
    ),
    pytest.param(
        {"dataset": "diabetes", "task": "classification"},
        "task",
        "regression task",
        id="bundled-with-the-wrong-task",
    ),
    pytest.param(
        url_answers(target_column=" "),
        "target_column",
        "must name the column",
        id="blank-target-column",
    ),
]


@pytest.mark.parametrize(("answers", "field", "words"), REFUSALS)
def test_answers_that_do_not_fit_are_refused_naming_the_field(
    render, tmp_path, capfd, answers, field, words
):
    with pytest.raises(FailedHookException) as refused:
        render(**answers)
    # Refused as typed (the exception's message) or by the pre-gen hook (its stderr).
    err = f"{refused.value}\n{capfd.readouterr().err}"
    assert f"ERROR: {field}: " in err and words in err, err
    assert "Nothing was created" in err
    assert not [p for p in tmp_path.rglob("*") if p.is_file()], "a file was left behind"


def test_an_empty_local_file_is_refused(render, tmp_path, capfd):
    empty = tmp_path / "empty.csv"
    empty.touch()
    with pytest.raises(FailedHookException):
        render(**local_answers(empty))
    assert "ERROR: dataset_location: " in capfd.readouterr().err


# --- Fast tier: what renders ---------------------------------------------------------------


def test_a_local_file_is_copied_untouched_and_kept_out_of_git(render, penguins):
    before = fingerprint(penguins)
    study = render(**local_answers(penguins))
    assert fingerprint(penguins) == before
    assert (study.path / "data/raw/penguins.csv").read_bytes() == penguins.read_bytes()
    tracked = study.run("git", "ls-files").stdout.splitlines()
    assert tracked and not any(p.endswith("penguins.csv") for p in tracked)
    assert study.run("git", "check-ignore", "data/raw/penguins.csv", check=False).returncode == 0
    # ...but a .dvc file there is for git: DVC only finds .dvc files that git does not ignore.
    assert (
        study.run("git", "check-ignore", "data/raw/penguins.csv.dvc", check=False).returncode == 1
    )
    assert study.run("git", "check-ignore", "data/raw/", check=False).returncode == 1


def test_a_local_file_has_no_download_stage_and_is_tracked_on_setup(render, penguins):
    study = render(**local_answers(penguins))
    stages = yaml.safe_load(study.read("dvc.yaml"))["stages"]
    assert "get_data" not in stages
    assert "data/raw/penguins.csv" in stages["prepare"]["deps"]
    # setup runs `dvc add` on this file (kit/cli.py): git keeps its .dvc file, DVC the data.
    assert study.command_layer("cli.LOCAL_DATA") == "data/raw/penguins.csv"
    params = yaml.safe_load(study.read("params.yaml"))["data"]
    assert params == {
        "dataset": "local_file",
        "target": "species",
        "task": "auto",
        "drop_columns": [],
        "columns": {},
        "drop_classes": [],
        "read": {
            "sep": ",",
            "decimal": ".",
            "encoding": "utf-8",
            "sheet": 0,
            "na_values": [],
            "keep_values": [],
            "thousands": "auto",
        },
    }
    assert yaml.safe_load(study.read("params.yaml"))["evaluate"]["metric"] == "auto"


def test_a_url_renders_a_download_stage_with_its_checksum(render):
    study = render(**url_answers(task="classification"))
    params = yaml.safe_load(study.read("params.yaml"))
    data = params["data"]
    assert (data["url"], data["sha256"], data["task"]) == (URL, PENGUINS_SHA256, "classification")
    # auto: prepare picks accuracy, or balanced accuracy when a class is rare
    assert params["evaluate"]["metric"] == "auto"
    stage = yaml.safe_load(study.read("dvc.yaml"))["stages"]["get_data"]
    assert stage["outs"] == ["data/raw/penguins.csv"]  # the name the URL's file has
    # dvc downloads again when the URL or the checksum in params.yaml changes: the stage
    # depends on the settings that hold them.
    watched = [functools.reduce(dict.get, key.split("."), params) for key in stage["params"]]
    assert URL in watched and PENGUINS_SHA256 in watched
    assert not (study.path / "data/raw/penguins.csv").exists()  # downloaded by the pipeline


def test_the_data_card_is_filled_from_the_answers(render, penguins):
    card = render(**url_answers()).read("data/README.md")
    assert f"<{URL}>" in card and PENGUINS_SHA256 in card
    assert "`species`" in card and "`data/raw/penguins.csv`" in card
    assert "[summary.md](summary.md)" in card  # the measured half, written by the pipeline
    for question in (
        "## Motivation",
        "## Collection and consent",
        "## Known biases and gaps",
        "## Uses",
        "*under which licence",
    ):
        assert question in card

    card = render(**local_answers(penguins)).read("data/README.md")
    # Its name only: the full path names the learner's home folder (tests/test_integrity.py).
    assert f"a file named `{penguins.name}` (the original is never changed)" in card

    card = render(dataset="wine").read("data/README.md")
    assert "Wine recognition data" in card and "CC BY 4.0" in card
    assert "`data/raw/wine.csv`" in card


def test_the_default_remote_is_a_folder_outside_the_study(render):
    study = render()
    config = study.read(".dvc/config")
    assert "remote = storage" in config
    assert "url = ../../digits-practice-study-dvc-storage" in config
    assert "`../digits-practice-study-dvc-storage`" in study.read("docs/data.md")
    # Setup creates it; clean never touches it, the raw data or the cache.
    storage = study.path.parent / "digits-practice-study-dvc-storage"
    assert study.command_layer("str(doctor.local_remote())") == str(storage)
    assert study.command_layer("cli.LOCAL_DATA") == ""  # the pipeline writes bundled data
    outputs = ["data/processed/train.csv", "models/model.joblib", "reports/metrics.json"]
    outputs += ["reports/writeup.html", "reports/figures/confusion_matrix.png"]
    kept = ["data/raw/digits.csv", "figures/mine.png", "reports/ledger.csv", "reports/notes.md"]
    for name in outputs + kept:
        (study.path / name).parent.mkdir(parents=True, exist_ok=True)
        study.write(name, "made here\n")
    storage.mkdir()
    (storage / "files").write_text("the remote's\n", encoding="utf-8")
    cleaned = study.run(sys.executable, "run.py", "clean")  # no .venv needed
    assert not [name for name in outputs if study.has_file(name)]
    assert [name for name in kept if study.has_file(name)] == kept
    assert (storage / "files").is_file() and not study.has_file(".venv/.synced")
    assert "remove-kernel" in cleaned.stdout


def test_no_remote_means_no_remote_section(render):
    study = render(dvc_remote="none")
    assert "remote" not in study.read(".dvc/config")
    # The study's pages say how to add one, and that `git push` then sends code only.
    assert "dvc remote add --default storage" in study.read("docs/data.md")
    assert "no DVC remote yet" in study.read("docs/checks.md")


# --- Full tier -----------------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture
def served(tmp_path, monkeypatch):
    """An HTTP server on 127.0.0.1 serving a folder with penguins.csv; yields its base URL."""
    folder = tmp_path / "www"
    folder.mkdir()
    shutil.copyfile(PENGUINS_CSV, folder / "penguins.csv")
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def data_files(study) -> list[str]:
    """Every file under data/ that is not part of the rendered template."""
    template = {"README.md", "raw/.gitkeep", "processed/.gitkeep"}
    return sorted(
        p.relative_to(study.path / "data").as_posix()
        for p in (study.path / "data").rglob("*")
        if p.is_file() and p.relative_to(study.path / "data").as_posix() not in template
    )


@pytest.mark.slow
def test_a_csv_from_a_url_is_verified_by_its_checksum(render, served):
    url = f"{served}/penguins.csv"
    study = render(**url_answers(url=url, sha256="0" * 64))
    failed = study.make("study", check=False)
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert "checksum" in output and PENGUINS_SHA256 in output
    assert data_files(study) == [], "a partial or unverified file was left in data/"

    params = study.read("params.yaml")
    study.write("params.yaml", params.replace("0" * 64, PENGUINS_SHA256))
    study.make("study")
    assert (study.path / "data/raw/penguins.csv").read_bytes() == PENGUINS_CSV.read_bytes()
    metrics = json.loads(study.read("reports/metrics.json"))
    assert metrics["task"] == "classification" and metrics["metric"] == "accuracy"
    summary = study.read("data/summary.md")
    assert "- Rows in the raw table: 344" in summary and "| Adelie | 152 |" in summary
    assert study.run("git", "ls-files", "data/raw").stdout.split() == ["data/raw/.gitkeep"]


@pytest.mark.slow
def test_a_local_csv_runs_end_to_end_and_survives_push_and_pull(render, penguins):
    before = fingerprint(penguins)
    study = render(**local_answers(penguins))
    study.make("study")
    assert fingerprint(penguins) == before
    raw = study.path / "data/raw/penguins.csv"

    # Missing values and text columns reached the model, and the data card's numbers exist.
    metrics = json.loads(study.read("reports/metrics.json"))
    assert metrics["task"] == "classification"
    assert metrics["model"]["test"]["accuracy"] > metrics["baseline"]["test"]["accuracy"]
    summary = study.read("data/summary.md")
    assert "| `sex` | categorical | str | 11 | 3.2% | 2 |" in summary
    assert "| `bill_length_mm` | numeric | float64 | 2 |" in summary
    study.make("test")

    # Git holds the .dvc file (staged by make setup), never the data.
    in_git = study.run("git", "ls-files", "data/raw").stdout.split()
    assert in_git == ["data/raw/.gitkeep", "data/raw/penguins.csv.dvc"]

    # The default remote: push, lose the cache and the raw copy, pull them back.
    study.make("push")
    storage = study.path.parent / "penguins-dvc-storage"
    assert storage.is_dir() and any(p.is_file() for p in storage.rglob("*"))
    shutil.rmtree(study.path / ".dvc/cache")
    raw.unlink()
    study.make("pull")
    assert raw.read_bytes() == penguins.read_bytes()

    # make clean keeps what cannot be rebuilt.
    study.make("clean")
    assert raw.is_file() and (study.path / ".dvc/cache").is_dir() and storage.is_dir()
    assert fingerprint(penguins) == before


BAD_DATA = {
    "missing target": (
        "island,bill_length_mm\nDream,39.1\nBiscoe,40.2\n",
        "the target column 'species' is not in data/raw/penguins.csv",
    ),
    "empty file": ("", "is an empty file (0 bytes)"),
    "header only": ("species,island\n", "has a header but no rows of data"),
    "unreadable": (b"species,island\n\xff\xfe\x00\x81,\x9f\n", "could not be read as CSV"),
    "single class": (
        "species,island\nAdelie,Dream\nAdelie,Biscoe\nAdelie,Torgersen\n",
        "holds a single class ('Adelie')",
    ),
    # An empty feature column is left out by prepare (data/summary.md says why); an empty
    # target leaves nothing to learn.
    "empty target": (
        "species,island\n,Dream\n,Biscoe\n",
        "the target column 'species' of data/raw/penguins.csv is entirely empty",
    ),
}


@pytest.mark.slow
def test_each_kind_of_bad_data_stops_the_pipeline_with_its_own_message(render, penguins):
    study = render(**local_answers(penguins))
    study.make("setup")
    raw = study.path / "data/raw/penguins.csv"
    seen = set()
    for case, (content, words) in BAD_DATA.items():
        if isinstance(content, bytes):
            raw.write_bytes(content)
        else:
            raw.write_text(content, encoding="utf-8")
        result = study.run(".venv/bin/python", "-m", "penguins.prepare", check=False)
        assert result.returncode == 1, case
        assert result.stderr.startswith("prepare: "), (case, result.stderr)
        assert words in result.stderr, (case, result.stderr)
        assert "Traceback" not in result.stderr, case
        seen.add(result.stderr)
    assert len(seen) == len(BAD_DATA), "two kinds of bad data got the same message"
    assert not (study.path / "data/processed/train.csv").exists()
