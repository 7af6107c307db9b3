"""The learner's guide in docs/ stays true to the template it describes.

Fast tier: the options reference agrees with cookiecutter.json and is up to date, every file
a study holds is explained, every `make` target and link the guide names exists.
Full tier: the walk-through's commands run, in order, as a reader would type them.
"""

from __future__ import annotations

import copy
import itertools
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import TEMPLATE

sys.path.insert(0, str(TEMPLATE / "tools"))
import options_doc
import walkthrough

DOCS = TEMPLATE / "docs"
# The guide's own pages (other files in docs/ belong to other tools).
PAGES = [
    DOCS / f"{name}.md" for name in ("index", "walkthrough", "files", "options", "troubleshooting")
]
# Answers whose studies hold files the default study does not (or lacks some it has).
FILE_SETS = {
    "default": {},
    "pip": {"env_manager": "pip"},
    "conda": {"env_manager": "conda"},
    "github": {"github_repo": "ada/digits-study"},
    "no-remote": {"dvc_remote": "none"},
    "no-licence": {"license": "none"},
    "dask": {"compute": "dask"},
}


# --- the options reference ---------------------------------------------------------------


def test_every_option_and_choice_is_documented():
    options, effects = options_doc.load_sources()
    assert options_doc.problems(options, effects) == []


def test_a_prompt_added_without_docs_is_caught():
    options, effects = options_doc.load_sources()
    options = copy.deepcopy(options)
    options["favourite_colour"] = "blue"
    options["__prompts__"]["favourite_colour"] = "What is your favourite colour?"
    options["dataset"] = [*options["dataset"], "mnist"]
    found = options_doc.problems(options, effects)
    assert any(line.startswith("favourite_colour:") for line in found), found
    assert any(line.startswith("dataset=mnist:") for line in found), found


def test_a_documented_option_that_no_longer_exists_is_caught():
    options, effects = options_doc.load_sources()
    options = copy.deepcopy(options)
    del options["compute"], options["__prompts__"]["compute"]
    found = options_doc.problems(options, effects)
    assert "compute: documented, but cookiecutter.json has no such option" in found


def test_the_options_page_is_up_to_date():
    options, effects = options_doc.load_sources()
    page = (DOCS / "options.md").read_text(encoding="utf-8")
    assert page == options_doc.render_page(options, effects), (
        "docs/options.md is stale against cookiecutter.json or docs/options-effects.yaml: "
        "run `make docs` and commit the result"
    )


def test_the_options_page_quotes_each_prompt_as_cookiecutter_shows_it():
    options, _ = options_doc.load_sources()
    page = (DOCS / "options.md").read_text(encoding="utf-8")
    for key, prompt in options["__prompts__"].items():
        question = prompt["__prompt__"] if isinstance(prompt, dict) else prompt
        assert f"> {question}" in page, key


# --- why each file is there ----------------------------------------------------------------


def documented_paths(module: str) -> list[str]:
    text = (DOCS / "files.md").read_text(encoding="utf-8")
    return [
        p.replace("<module>", module) for p in re.findall(r"^#{2,4} `([^`]+)`", text, re.MULTILINE)
    ]


@pytest.fixture(scope="module")
def study_files(tmp_path_factory) -> dict[str, set[str]]:
    from conftest import render_into

    found = {}
    for name, answers in FILE_SETS.items():
        study = render_into(tmp_path_factory.mktemp(name), **answers)
        files = {p.relative_to(study.path).as_posix() for p in study.files()}
        found[name] = files | {str(Path(f).parent) + "/" for f in files if "/" in f}
    return found


def test_every_file_of_a_study_is_explained(study_files):
    documented = documented_paths("digits_practice_study")
    missing = set()
    for files in study_files.values():
        for path in files:
            if path.endswith("/"):
                continue
            if not any(path == d or (d.endswith("/") and path.startswith(d)) for d in documented):
                missing.add(path)
    assert not missing, f"docs/files.md does not explain: {sorted(missing)}"


def test_every_file_the_page_explains_exists_in_some_study(study_files):
    every = set().union(*study_files.values())
    gone = [path for path in documented_paths("digits_practice_study") if path not in every]
    assert not gone, f"docs/files.md explains files no study has any more: {gone}"


@pytest.mark.parametrize("answers", [{}, {"compute": "dask"}], ids=["default", "dask"])
def test_a_study_readme_links_each_page_of_its_docs(render, answers):
    study = render(**answers)
    pages = sorted(p.relative_to(study.path).as_posix() for p in (study.path / "docs").iterdir())
    linked = sorted(re.findall(r"\]\((docs/[^)]+)\)", study.read("README.md")))
    assert linked == pages


def test_a_study_and_the_template_point_readers_to_the_guide(render):
    readme = render().read("README.md")
    assert "docs/walkthrough.md" in readme
    for command in ("python3 run.py study", "python3 run.py test", "py run.py study"):
        assert command in readme, command
    front_page = (TEMPLATE / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        assert f"docs/{page.name}" in front_page, page.name


# --- commands and links named anywhere in the guide ----------------------------------------


def make_targets(makefile: Path) -> set[str]:
    text = makefile.read_text(encoding="utf-8")
    lines = re.findall(r"^([a-zA-Z][\w-]*(?: [\w-]+)*):", text, re.MULTILINE)
    return {target for line in lines for target in line.split()}


def study_commands() -> set[str]:
    """The commands of a study's run.py (kit/cli.py's COMMANDS), read from a rendered one."""
    from conftest import render_into

    with tempfile.TemporaryDirectory() as folder:
        return set(render_into(Path(folder)).command_layer("list(cli.COMMANDS)"))


def test_every_command_in_the_guide_exists():
    """`make <target>` names a target of the template's or the study's Makefile, and
    `run.py <command>` (python3 or py) a command of the study's run.py."""
    known = make_targets(TEMPLATE / "Makefile")
    known |= make_targets(TEMPLATE / "{{cookiecutter.project_slug}}" / "Makefile")
    commands = study_commands()
    unknown = set()
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"`make ([a-z][\w-]*)", text):
            if target not in known:
                unknown.add(f"{page.name}: make {target}")
        for command in re.findall(r"run\.py ([a-z][\w-]*)", text):
            if command not in commands:
                unknown.add(f"{page.name}: run.py {command}")
    assert not unknown, sorted(unknown)


def anchors(page: Path) -> set[str]:
    """GitHub's anchor for each heading: lowercase, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_links_between_the_guide_pages_lead_somewhere():
    broken = []
    for page in PAGES:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # a web address: not checked offline
            name, _, anchor = target.partition("#")
            linked = (page.parent / name) if name else page
            if not linked.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, broken


# --- the walk-through ----------------------------------------------------------------------


def test_the_walkthrough_marks_its_blocks_consistently():
    blocks = walkthrough.parse(walkthrough.PAGE.read_text(encoding="utf-8"))
    kinds = [block.kind for block in blocks]
    assert kinds.count("run") >= 10 and "norun" in kinds and "hidden" in kinds
    for before, block in itertools.pairwise(blocks):
        if block.kind == "output":
            assert before.kind == "run", f"output block not right after a command:\n{block.body}"


def learner_env(home: Path) -> dict[str, str]:
    """The environment of a reader's terminal: uv and uvx on PATH, not the template's tools.

    conftest's `isolated` fixture has already pointed caches, git identity and DVC at
    temporary places; this adds a home folder of the walk-through's own.
    """
    bin_dir = home / ".local" / "bin"  # where uv's own installer puts uv and uvx
    bin_dir.mkdir(parents=True)
    for tool in ("uv", "uvx"):
        # uv is also a dev dependency of the template, beside the python running the tests.
        found = shutil.which(tool) or shutil.which(tool, path=str(Path(sys.executable).parent))
        assert found, f"{tool} is not on PATH: the walk-through needs it"
        (bin_dir / tool).symlink_to(found)
    ours = (TEMPLATE / ".venv", TEMPLATE / ".tools")
    path = [
        p
        for p in os.environ["PATH"].split(os.pathsep)
        if not any(Path(p).is_relative_to(folder) for folder in ours)
    ]
    return {
        **os.environ,
        "HOME": str(home),
        "TEMPLATE": str(TEMPLATE),
        "PATH": os.pathsep.join([str(bin_dir), *path]),
    }


@pytest.mark.slow
def test_the_walkthrough_runs_word_for_word(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    text = walkthrough.PAGE.read_text(encoding="utf-8")
    blocks = walkthrough.parse(text)
    walkthrough.run(blocks, home, learner_env(home))
    page = walkthrough.with_outputs(text, blocks, home)
    if os.environ.get("WALKTHROUGH_UPDATE") == "1":  # `make walkthrough`
        walkthrough.PAGE.write_text(page, encoding="utf-8")
