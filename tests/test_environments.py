"""Pinned environments: one lock, exported for uv, pip, conda and Binder, kept current.

Fast tier: the lock is current, its exports equal what `make lock` makes now, hold only
public sources, and conda's pins are the lock's. Full tier (`slow`): the uv study sets up,
runs and passes its tests (the pip study does so in tests/test_study_ci.py, through its
workflow), pip really checks every hash, and Binder's postBuild alone installs the study.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE
from parsing import parse

sys.path.insert(0, str(TEMPLATE / "tools"))
import lock  # noqa: E402  (tools/lock.py: what `make lock` runs)

STALE = "run `make lock` at the template root, then commit the study's refreshed files"
# uv's default index, the public Python Package Index: the only registry a lock may name.
PUBLIC_INDEX = "https://pypi.org/simple"
LOCAL = re.compile(r"file:|(?<![\w.])(/home/|/root/|/tmp/|/opt/|/srv/|/var/|/Users/|[A-Z]:\\)")
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;]+)")
# requirements.txt is in every study: Binder and Colab install it.
EXPORTS_BY_MANAGER = {
    "uv": {"requirements.txt"},
    "pip": {"requirements.txt"},
    "conda": {"environment.yml", "requirements.txt"},
}


def uv() -> str:
    return lock.find_uv()


def lock_is_stale(study) -> str | None:
    """Why the study's uv.lock does not match its pyproject.toml, or None when current."""
    done = study.run(uv(), "lock", "--check", "--offline", check=False)
    return None if done.returncode == 0 else done.stderr.strip()[-3000:]


def pins(requirements: str) -> dict[tuple[str, str], frozenset[str]]:
    """(name, version) -> hashes, for every entry of a hashed requirements text.

    A package may be pinned at two versions under different markers (e.g. by Python version).
    """
    found: dict[tuple[str, str], set[str]] = {}
    for entry in lock.entries(requirements):
        name, version = PIN.match(entry).groups()
        found.setdefault((name.lower(), version), set()).update(re.findall(r"--hash=(\S+)", entry))
    return {pin: frozenset(hashes) for pin, hashes in found.items()}


def conda_pins(study) -> dict[tuple[str, str], frozenset[str]]:
    environment = yaml.safe_load(study.read("environment.yml"))
    (pip_section,) = [item["pip"] for item in environment["dependencies"] if isinstance(item, dict)]
    return pins("\n".join(pip_section))


def locked_files(package: dict) -> list[dict]:
    """The wheels and sdist uv.lock records for one package."""
    return [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]


def lock_packages(study) -> dict[tuple[str, str], set[str]]:
    """(name, version) -> every file hash uv.lock records for it."""
    return {
        (package["name"], package["version"]): {f["hash"] for f in locked_files(package)}
        for package in parse(study.path / "uv.lock")["package"]
    }


# Fast tier ---------------------------------------------------------------------------------


def test_the_lock_is_current(render):
    problem = lock_is_stale(render())
    assert problem is None, f"uv.lock is stale against pyproject.toml: {STALE}\n{problem}"


def test_a_dependency_added_without_relocking_is_caught(render):
    study = render()
    text = study.read("pyproject.toml")
    study.write("pyproject.toml", text.replace('"pyyaml>=6.0",', '"pyyaml>=6.0",\n  "rich>=13",'))
    assert lock_is_stale(study) is not None


@pytest.mark.parametrize("manager", ["uv", "pip", "conda"])
def test_exports_are_what_make_lock_makes_now(render, manager):
    study = render(env_manager=manager)
    expected = lock.exports(study.path, slug=study.path.name)
    kept = EXPORTS_BY_MANAGER[manager] | {"binder/runtime.txt"}
    if manager != "uv":
        kept |= {path for path in expected if path.startswith("requirements/")}
    shipped = {str(p.relative_to(study.path)) for p in study.files()}
    assert kept <= shipped, f"missing {sorted(kept - shipped)}: {STALE}"
    for path in sorted(kept):
        assert study.read(path) == expected[path], f"{path} differs from uv.lock: {STALE}"
    gone = set(expected) - kept
    assert not gone & shipped, f"{sorted(gone & shipped)} belong to another env_manager"
    stale_extras = {p for p in shipped if p.startswith("requirements/")} - kept
    assert not stale_extras, f"{sorted(stale_extras)} match no extra or group: {STALE}"


def test_locks_and_exports_name_only_the_public_index(render):
    study = render(env_manager="pip")
    exported = [
        "requirements.txt",
        *(str(p.relative_to(study.path)) for p in (study.path / "requirements").glob("*")),
    ]
    for path in exported:
        text = study.read(path)
        assert not LOCAL.search(text), f"{path} holds a local path: {LOCAL.search(text)[0]}"
        body = "\n".join(lock.entries(text))
        # No index, find-links or direct URL: pip takes everything from its own settings.
        assert "://" not in body and "--index" not in body and "--find-links" not in body, path
        assert all(
            PIN.match(entry) and "--hash=sha256:" in entry for entry in lock.entries(text)
        ), f"{path}: every entry must be pinned with its hashes"
    text = study.read("uv.lock")
    assert not LOCAL.search(text), f"uv.lock holds a local path: {LOCAL.search(text)[0]}"
    for package in parse(study.path / "uv.lock")["package"]:
        source = package["source"]
        assert source.get("registry") == PUBLIC_INDEX or source == {"editable": "."}, (
            f"{package['name']} comes from {source}: {STALE} (uv ignores pip's mirrors)"
        )
        for file in locked_files(package):
            assert file["url"].startswith("https://"), file["url"]


def test_environment_yml_pins_exactly_the_lock(render):
    study = render(env_manager="conda")
    environment = yaml.safe_load(study.read("environment.yml"))
    assert environment["name"] == study.path.name
    python = [d for d in environment["dependencies"] if str(d).startswith("python=")]
    assert python and python[0].split("=")[1] in {"3.10", "3.11", "3.12", "3.13"}
    conda = conda_pins(study)
    exported = pins(study.run(uv(), *lock.EXPORT).stdout)
    assert conda == exported
    locked = lock_packages(study)
    for (name, version), hashes in conda.items():
        assert (name, version) in locked, f"{name}=={version} is not in uv.lock"
        assert hashes and hashes <= locked[(name, version)], name


def test_pip_and_binder_name_the_same_pins_as_conda(render):
    pip_study, conda_study = render(env_manager="pip"), render(env_manager="conda")
    requirements = pins(pip_study.read("requirements.txt"))
    assert requirements == conda_pins(conda_study)
    # Binder installs the conda study's requirements.txt (binder/postBuild): the same pins.
    assert pins(conda_study.read("requirements.txt")) == requirements
    assert pip_study.read("binder/runtime.txt").strip() == "python-" + lock.CLOUD_PYTHON


@pytest.mark.parametrize("manager", ["uv", "pip", "conda"])
def test_setup_installs_with_the_chosen_manager(render, manager):
    """kit/environment.py builds .venv with the chosen manager, from files the study has:
    uv.lock's extra for the remote, or requirements/s3.txt beside requirements.txt."""
    study = render(env_manager=manager, dvc_remote="s3", dvc_remote_url="s3://bucket/study")
    facts = study.command_layer(
        "[environment.MANAGER, environment.EXTRAS, environment.built_from(),"
        " environment.extra_requirements(), cli.KERNEL_NAME]"
    )
    chosen, extras, built_from, requirements, kernel = facts
    assert chosen == manager and extras == ["s3"]
    assert [Path(f).name for f in built_from] == {
        "uv": ["pyproject.toml", "uv.lock"],
        "pip": ["pyproject.toml", "requirements.txt", "s3.txt"],
        "conda": ["pyproject.toml", "requirements.txt", "s3.txt", "environment.yml"],
    }[manager]
    assert all(Path(f).is_file() for f in built_from), built_from
    assert requirements == ["-r", "requirements/s3.txt"]
    assert kernel.startswith("digits-practice-study-") and kernel.split("-")[-1].isdigit()


def test_binder_spec_and_badges_follow_github_repo(render):
    bare = render()
    readme = bare.read("README.md")
    for host in ("mybinder.org/v2", "colab.research.google.com/github", "/actions/workflows"):
        assert host not in readme
    assert not bare.has_file("binder/colab.ipynb")
    for name in ("runtime.txt", "postBuild"):
        assert bare.has_file(f"binder/{name}"), name
    # repo2docker reads only binder/ once it exists: no pins there, so postBuild installs the
    # study's own requirements.txt, which the study has.
    assert not bare.has_file("binder/requirements.txt")
    post_build = bare.read("binder/postBuild")
    assert "pip install --no-cache-dir --require-hashes -r requirements.txt" in post_build
    assert bare.has_file("requirements.txt")
    assert (bare.path / "binder/postBuild").stat().st_mode & 0o111

    study = render(github_repo="ada-lovelace/digits.study")
    readme = study.read("README.md")
    badges = re.findall(r"\[!\[[^]]+\]\((https://[^)]+)\)\]\((https://[^)]+)\)", readme)
    links = [link for _, link in badges]
    assert links == [
        "https://mybinder.org/v2/gh/ada-lovelace/digits.study/HEAD"
        "?urlpath=lab/tree/notebooks/02_analysis.ipynb",
        "https://colab.research.google.com/github/ada-lovelace/digits.study/blob/main/"
        "binder/colab.ipynb",
        "https://github.com/ada-lovelace/digits.study/actions/workflows/study.yml",
    ]
    # Each badge points at something the study has.
    assert study.has_file("notebooks/02_analysis.py") and study.has_file("binder/colab.ipynb")
    assert study.has_file(".github/workflows/study.yml")
    assert "binder/colab.ipynb" in study.read("docs/environment.md")
    assert "colab" not in bare.read("docs/environment.md").lower()
    colab = json.loads(study.read("binder/colab.ipynb"))
    source = "".join("".join(cell["source"]) for cell in colab["cells"])
    assert "https://github.com/ada-lovelace/digits.study.git" in source
    assert "--require-hashes -r requirements.txt" in source


@pytest.mark.parametrize(
    "repo",
    [
        "ada",
        "ada/",
        "/study",
        "ada/study/x",
        "-ada/study",
        "ada/..",
        "ada lovelace/study",
        "ada/stu dy",
    ],
)
def test_github_repo_must_be_owner_slash_name(render, repo):
    from cookiecutter.exceptions import FailedHookException

    with pytest.raises(FailedHookException):
        render(github_repo=repo)


def test_readme_states_the_supported_pythons(render):
    for manager in ("uv", "pip"):
        assert "Python 3.10, 3.11, 3.12 or 3.13" in render(env_manager=manager).read("README.md")
    conda = render(env_manager="conda")
    assert "conda or mamba" in conda.read("README.md")
    # The details of the environment are on the study's docs/environment.md.
    page = conda.read("docs/environment.md")
    assert "conda env create --prefix .venv --file environment.yml" in page
    # Binder, Colab and conda get the Python that tools/lock.py pins for them.
    assert f"Python {lock.CLOUD_PYTHON}" in page


SETUP_COMMANDS = {
    "uv": "uv sync --locked",
    "pip": "pip install --require-hashes -r requirements.txt",
    "conda": "conda env create --prefix .venv --file environment.yml",
}


@pytest.mark.parametrize("manager", SETUP_COMMANDS)
def test_the_environment_page_describes_the_chosen_manager_only(render, manager):
    page = render(env_manager=manager).read("docs/environment.md")
    assert SETUP_COMMANDS[manager] in page
    others = [command for other, command in SETUP_COMMANDS.items() if other != manager]
    assert not [command for command in others if command in page]
    assert "*Python (digits-practice-study)*" in page  # the kernel it registers


# Full tier ---------------------------------------------------------------------------------


def kernel(study) -> dict:
    """The kernel registered for this study: its name is the folder's plus a number."""
    specs = json.loads(study.run(".venv/bin/jupyter", "kernelspec", "list", "--json").stdout)
    mine = [
        spec
        for name, spec in specs["kernelspecs"].items()
        if name.startswith(f"{study.path.name}-") and name[len(study.path.name) + 1 :].isdigit()
    ]
    assert len(mine) == 1, specs
    return mine[0]


@pytest.mark.slow
def test_uv_setup_registers_a_kernel_named_after_the_study(render):
    # A study of its own name: kernels live in the (test run's) home folder, where a later
    # setup of another study with the default name would replace the default study's kernel.
    study = render(project_name="Kernel Study")
    study.make("setup")
    spec = kernel(study)
    assert spec["spec"]["argv"][0] == str(study.path / ".venv" / "bin" / "python")
    assert spec["spec"]["display_name"] == "Python (kernel-study)"


@pytest.mark.slow
def test_pip_refuses_a_package_whose_hash_differs(render):
    study = render(env_manager="pip")
    text = study.read("requirements.txt")
    # Every file of the first package gets a wrong hash: pip accepts a file matching any one.
    first = lock.blocks(text)[0]
    study.write(
        "requirements.txt",
        text.replace(first, re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, first)),
    )
    done = study.make("setup", check=False)
    assert done.returncode != 0
    assert "DO NOT MATCH THE HASHES" in done.stderr + done.stdout


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("conda") is None, reason="conda is not installed here")
def test_conda_study_sets_up(render):
    study = render(env_manager="conda")
    study.make("setup")
    assert kernel(study)["spec"]["argv"][0] == str(study.path / ".venv" / "bin" / "python")


@pytest.mark.slow
def test_binder_post_build_alone_installs_the_study(render, monkeypatch):
    """What Binder does once it has Python (binder/runtime.txt): repo2docker reads only
    binder/, which holds no pins, so postBuild must install everything from the study's
    own requirements.txt. Here in a bare venv, as Binder's kernel environment would be."""
    study = render(github_repo="ada-lovelace/digits-study")
    study.run(sys.executable, "-m", "venv", "binder-env")
    monkeypatch.setenv("PATH", f"{study.path / 'binder-env' / 'bin'}:{os.environ['PATH']}")
    study.run("bash", "binder/postBuild")
    assert study.has_file("notebooks/02_analysis.ipynb")  # what the Binder badge opens
    study.run("binder-env/bin/python", "-c", "import digits_practice_study, sklearn, dvc")
