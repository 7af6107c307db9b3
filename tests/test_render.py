"""Fast tier: every choice renders, nothing is left unrendered, every file parses."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import tempfile
from pathlib import Path

import jinja2
import pytest
import yaml
from conftest import PENGUINS_CSV, TEMPLATE, Study, local_extensions, render_into
from cookiecutter.main import cookiecutter
from parsing import cff_problems, leftovers, parse

TEMPLATE_JSON = json.loads(
    (__import__("conftest").TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8")
)
# Choices that only make sense with another answer beside them (pre_gen_project refuses them
# alone).
COMPANIONS = {
    **{
        ("dvc_remote", remote): {"dvc_remote_url": url}
        for remote, url in local_extensions.REMOTE_EXAMPLES.items()
    },
    ("dataset", "csv_url"): {
        "dataset_location": "https://example.org/data/penguins.csv",
        "dataset_sha256": "0" * 64,
        "target_column": "species",
    },
    ("dataset", "local_file"): {"dataset_location": str(PENGUINS_CSV), "target_column": "species"},
    ("task", "regression"): {"dataset": "diabetes"},
}
CHOICES = [
    pytest.param({key: value, **COMPANIONS.get((key, value), {})}, id=f"{key}={value}")
    for key, values in TEMPLATE_JSON.items()
    if isinstance(values, list) and not key.startswith("_")
    for value in values
]


@pytest.mark.parametrize("answers", CHOICES)
def test_every_choice_renders_and_parses(render, answers):
    study = render(**answers)
    problems = []
    for path in study.files():
        relative = path.relative_to(study.path)
        if found := leftovers(path):
            problems.append(f"{relative}: unrendered {found}")
        try:
            parse(path)
        except Exception as error:  # noqa: BLE001 - report every file, not just the first
            problems.append(f"{relative}: {type(error).__name__}: {error}")
    assert not problems, "\n".join(problems)


HOSTILE_CITATION = {
    # Braces typed at the prompts: tests/test_freetext.py (answers given here are Jinja).
    "project_name": 'Title: "quoted" #1 \U0001f600',
    "author_name": "Ada: O'Brien-Lovelace \u00e9",
    "author_email": "ada.o+cff@example.org",
    "question": "Does x: y, [a] & 'b' \\ help? \u2014 yes: no",
    "github_repo": "ada-lovelace/study.v2",
    "license": "none",
}


def test_citation_cff_is_valid_and_holds_the_answers_as_typed(render):
    study = render(**HOSTILE_CITATION)
    text = study.read("CITATION.cff")
    assert cff_problems(yaml.safe_load(text)) == []
    cff = yaml.safe_load(text)
    assert cff["cff-version"] == "1.2.0"
    assert cff["title"] == HOSTILE_CITATION["project_name"]
    assert cff["abstract"] == HOSTILE_CITATION["question"]
    assert cff["authors"] == [
        {
            "given-names": "Ada: O'Brien-Lovelace",
            "family-names": "\u00e9",
            "email": "ada.o+cff@example.org",
        }
    ]
    assert cff["repository-code"] == "https://github.com/ada-lovelace/study.v2"
    # No licence chosen: none claimed. Unpublished: no release date (CFF makes it optional).
    assert "license" not in cff and "date-released" not in cff
    default = yaml.safe_load(render().read("CITATION.cff"))
    assert default["license"] == "MIT"
    assert default["authors"] == [
        {"given-names": "Your", "family-names": "Name", "email": "you@example.com"}
    ]


def test_the_flow_is_visible_at_the_top(render):
    study = render()
    for name in (
        "README.md",
        "QUESTION.md",
        "WRITEUP.md",
        "REVIEW.md",
        "params.yaml",
        "dvc.yaml",
        "Makefile",
        "pyproject.toml",
        "uv.lock",
        "data/README.md",
    ):
        assert study.has_file(name), name
    stages = yaml.safe_load(study.read("dvc.yaml"))["stages"]
    assert list(stages) == ["get_data", "prepare", "train", "evaluate", "report"]
    for name, stage in stages.items():
        module = f"src/digits_practice_study/{name}.py"
        assert study.has_file(module)
        assert stage["cmd"] == f"python -m digits_practice_study.{name}"


def test_prompts_cover_every_question():
    prompts = TEMPLATE_JSON["__prompts__"]
    asked = [k for k in TEMPLATE_JSON if not k.startswith("_")]
    assert sorted(prompts) == sorted(asked)
    for key, values in TEMPLATE_JSON.items():
        if isinstance(values, list) and not key.startswith("_"):
            assert set(prompts[key]) - {"__prompt__"} == set(values), key


@pytest.mark.parametrize("license_id", ["MIT", "BSD-3-Clause", "Apache-2.0", "CC-BY-4.0"])
def test_the_chosen_licence_is_the_only_one(render, license_id):
    study = render(license=license_id, author_name="Ada Lovelace")
    text = study.read("LICENSE")
    assert "Ada Lovelace" in text
    assert not (study.path / "licenses").exists()
    expected = {
        "MIT": "MIT License",
        "BSD-3-Clause": "BSD 3-Clause",
        "Apache-2.0": "Apache License",
        "CC-BY-4.0": "Attribution 4.0",
    }
    assert expected[license_id] in text


def test_no_licence_means_no_licence_file(render):
    study = render(license="none")
    assert not study.has_file("LICENSE")
    assert not (study.path / "licenses").exists()


def test_first_commit_holds_the_whole_study(render):
    study = render()
    log = study.run("git", "log", "--oneline").stdout.splitlines()
    assert len(log) == 1
    assert study.run("git", "status", "--porcelain").stdout == ""
    tracked = study.run("git", "ls-files").stdout.split()
    assert "dvc.yaml" in tracked and "uv.lock" in tracked
    assert not [f for f in tracked if f.startswith("data/raw/") and not f.endswith(".gitkeep")]
    # Committed with LF line endings, as the study's .gitattributes asks, though the hook
    # turns git's conversion off for its one add (hooks/post_gen_project.add_in_one_pack).
    endings = study.run("git", "ls-files", "--eol").stdout.splitlines()
    assert not [line for line in endings if line.split()[0] in ("i/crlf", "i/mixed")]
    assert study.run("git", "check-attr", "text", "--", "dvc.yaml").stdout.endswith("auto\n")


def test_a_second_render_reuses_compiled_templates_but_never_stale_ones(tmp_path, monkeypatch):
    """local_extensions.TemplateBytecodeCache: a render reads back the file templates an
    earlier one compiled, and a template whose text changed is compiled again, even when
    the changed copy sits elsewhere (entries are keyed by the path inside the template)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))  # Jinja's cache folder
    (tmp_path / "temp").mkdir()
    compiled = []
    compile_template = jinja2.Environment.compile

    def counting(environment, source, name=None, *args, **kwargs):
        if name is not None:  # a file template (from_string, for file names, has none)
            compiled.append(name)
        return compile_template(environment, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    first = render_into(tmp_path / "first")
    assert len(compiled) > 30, compiled
    cached = list((tmp_path / "temp").rglob("practice-study-*.cache"))
    assert len(cached) == len(set(compiled))

    compiled.clear()
    second = render_into(tmp_path / "second")
    assert compiled == []
    assert second.read("dvc.yaml") == first.read("dvc.yaml")

    edited = tmp_path / "edited"
    edited.mkdir()
    for name in ("cookiecutter.json", "hooks", "{{cookiecutter.project_slug}}"):
        copy = shutil.copytree if (TEMPLATE / name).is_dir() else shutil.copy
        copy(TEMPLATE / name, edited / name)
    shutil.copy(TEMPLATE / f"{local_extensions.__name__}.py", edited)
    readme = edited / "{{cookiecutter.project_slug}}" / "README.md"
    edit = "Edited: {{ cookiecutter.project_name }}\n"
    readme.write_text(readme.read_text(encoding="utf-8") + edit, encoding="utf-8", newline="\n")
    (tmp_path / "third").mkdir()
    folder = cookiecutter(str(edited), no_input=True, output_dir=str(tmp_path / "third"))
    study = Study(Path(folder))
    assert compiled == ["README.md"]
    title = json.loads(first.read(".cruft.json"))["context"]["cookiecutter"]["project_name"]
    assert study.read("README.md").endswith(f"Edited: {title}\n")


@pytest.mark.skipif(os.name == "nt", reason="Jinja caches in the temp dir itself on Windows")
def test_a_render_goes_on_when_jinja_refuses_its_cache_folder(tmp_path, monkeypatch):
    """Jinja refuses a cache folder it does not own as private (here a file in its place):
    the study renders all the same, nothing cached."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    refused = tmp_path / f"_jinja2-cache-{os.getuid()}"
    refused.write_text("", encoding="utf-8")
    study = render_into(tmp_path / "refused")
    assert not list(tmp_path.rglob("practice-study-*"))
    refused.unlink()
    assert study.read("dvc.yaml") == render_into(tmp_path / "cached").read("dvc.yaml")
    assert list(tmp_path.rglob("practice-study-*"))


def test_a_render_goes_on_when_its_template_cache_takes_no_new_entry(tmp_path, monkeypatch):
    """A cache folder that takes no new file (a full disk): the study renders all the
    same, as it does with the templates compiled and cached."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    expected = render_into(tmp_path / "cached").read("dvc.yaml")
    for entry in tmp_path.rglob("practice-study-*"):
        entry.unlink()

    def disk_full(cache, bucket):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "dump_bytecode", disk_full)
    assert render_into(tmp_path / "disk-full").read("dvc.yaml") == expected
    assert not list(tmp_path.rglob("practice-study-*"))


def test_without_git_identity_the_study_still_renders(render, monkeypatch, capfd):
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    study = render()
    assert study.has_file("dvc.yaml")
    assert "git config --global user.name" in capfd.readouterr().out


def test_dvc_settings_ship_without_dvc_init(render):
    study = render()
    config = study.read(".dvc/config")
    assert "analytics = false" in config and "check_update = false" in config
    assert study.has_file(".dvc/.gitignore") and study.has_file(".dvcignore")


def test_each_dataset_names_its_task(render):
    for dataset, task in [("diabetes", "regression"), ("iris", "classification")]:
        params = yaml.safe_load(render(dataset=dataset).read("params.yaml"))
        assert {k: params["data"][k] for k in ("dataset", "target", "task")} == {
            "dataset": dataset,
            "target": "target",
            "task": task,
        }


# Copied as they are for a reason other than speed: Jinja files of the study's own, GitHub's
# own ${{ }} syntax, and the lock exports whose one placeholder the post-gen hook fills.
COPIED_FOR_THEIR_SYNTAX = {
    "*.j2",
    ".github/*",
    "uv.lock",
    "environment.yml",
    "requirements.txt",
    "requirements/*.txt",
}


def test_files_are_copied_without_rendering_exactly_when_they_hold_no_jinja():
    """Plain files are in _copy_without_render only to spare Jinja the work (render time):
    one that gains a `{{`, `{%` or `{#` would land unrendered."""
    study = __import__("conftest").TEMPLATE / "{{cookiecutter.project_slug}}"
    patterns = set(TEMPLATE_JSON["_copy_without_render"]) - COPIED_FOR_THEIR_SYNTAX
    found = []
    for path in study.rglob("*"):
        relative = path.relative_to(study).as_posix()
        if path.is_file() and any(fnmatch.fnmatch(relative, p) for p in patterns):
            text = path.read_text(encoding="utf-8")
            if any(marker in text for marker in ("{{", "{%", "{#")):
                found.append(relative)
    assert not found, (
        f"{found} hold Jinja syntax but cookiecutter.json's _copy_without_render copies them "
        "as they are: take them off that list"
    )
    # And every file without Jinja in it is on the list: each one rendered costs the render
    # its compile (kit/answers.py holds what the command layer needs from the answers).
    copied = TEMPLATE_JSON["_copy_without_render"]
    rendered_for_nothing = []
    for path in study.rglob("*"):
        relative = path.relative_to(study).as_posix()
        if not path.is_file() or any(fnmatch.fnmatch(relative, p) for p in copied):
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        if not any(marker in text for marker in ("{{", "{%", "{#")):
            rendered_for_nothing.append(relative)
    assert not rendered_for_nothing, (
        f"{rendered_for_nothing} hold no Jinja: add them to cookiecutter.json's "
        "_copy_without_render"
    )
    # Every pattern still names a file, so a renamed file does not leave a dead entry.
    for pattern in patterns:
        files = [p for p in study.rglob("*") if p.is_file()]
        assert any(fnmatch.fnmatch(p.relative_to(study).as_posix(), pattern) for p in files), (
            pattern
        )
