"""Refresh the study's lock and its exports from its one dependency list (`make lock`).

The study's ``pyproject.toml`` in the template is the single source of its dependencies.
This renders the default study, runs ``uv lock`` there (universal: every OS, Python
3.10-3.13, from the public index), and writes back into the template:

- ``uv.lock``, with the project's name turned into a template variable (env_manager=uv);
- ``requirements.txt``: the same pins with their hashes, for pip (env_manager=pip), and for
  Binder and Colab, whose ``binder/postBuild`` and ``binder/colab.ipynb`` install it;
- ``requirements/<name>.txt``: what each optional extra or dependency group adds to it;
- ``environment.yml``: a pinned Python plus the same hashed pins in its pip section (conda);
- ``binder/runtime.txt``: the Python that Binder builds (repo2docker reads only ``binder/``
  once that folder exists, so the pins are installed by ``binder/postBuild``).

Every export is made by ``uv export`` from the lock alone, so all of them name the same pins.
The post-generation hook keeps the files of the chosen env_manager only.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "{{cookiecutter.project_slug}}"
LOCK = STUDY / "uv.lock"
SLUG_VARIABLE = "{{ cookiecutter.project_slug }}"
# environment.yml names the environment; the filter keeps a slug such as `no` a YAML string.
ENV_NAME_VARIABLE = "{{ cookiecutter.project_slug | yaml }}"
DEFAULT_SLUG = "digits-practice-study"
# The Python that Binder, Colab and conda environments get: inside the supported 3.10-3.13,
# and the one Colab runs today.
CLOUD_PYTHON = "3.12"
# Universal (markers for every OS and Python), exact pins, every file's hash, without the
# study itself (it is installed from its folder, without dependencies, after these).
EXPORT = (
    "export",
    "--frozen",
    "--format",
    "requirements.txt",
    "--no-emit-project",
    "--no-header",
    "--no-annotate",
)
REQUIREMENTS_HEADER = """\
# The study's pinned packages for pip: exact versions with hashes, for every OS and
# Python 3.10-3.13, exported from uv.lock. Install with `python3 run.py setup`, or:
#   python -m pip install --require-hashes -r requirements.txt && pip install --no-deps -e .
# Do not edit: after changing pyproject.toml, run `uv lock`, then
#   uv {command} > requirements.txt
"""
EXTRA_HEADER = """\
# What the {kind} `{name}` of pyproject.toml adds to requirements.txt (pinned,
# hashed, from uv.lock). Install both together:
#   python -m pip install --require-hashes -r requirements.txt -r requirements/{name}.txt
"""
ENVIRONMENT_HEADER = """\
# The study's conda environment: a pinned Python, then exactly the pins of uv.lock (with
# their hashes) through pip. `python3 run.py setup` creates it in .venv; or by
# hand:
#   conda env create --file environment.yml && conda activate {name}
#   pip install --no-deps -e .
# An optional extra on top: pip install --require-hashes -r requirements/<extra>.txt
# Exported from uv.lock; do not edit by hand.
"""
RUNTIME = f"python-{CLOUD_PYTHON}\n"
# The pin files `make lock` writes, as glob patterns of paths in a study: hundreds of kB of
# hashes that tools, not people, write (tests/golden keeps them as checksums).
PIN_FILES = ("uv.lock", "requirements.txt", "requirements/*.txt", "environment.yml")


def find_uv() -> str:
    # The template's dev environment installs uv beside its Python; PATH may not have it.
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    return found or sys.exit("uv is needed: pip install uv")


def render(into: Path) -> Path:
    """The default study, its uv.lock named as the study (the hook's job, skipped here)."""
    from cookiecutter.main import cookiecutter

    study = Path(cookiecutter(str(ROOT), no_input=True, output_dir=str(into), accept_hooks=False))
    # uv.lock is copied unrendered; uv must see the real name to reuse the current pins.
    lock = study / "uv.lock"
    lock.write_text(
        lock.read_text(encoding="utf-8").replace(SLUG_VARIABLE, DEFAULT_SLUG), encoding="utf-8"
    )
    return study


def templated(lock_text: str) -> str:
    # Only the study's own entry carries its name; everything else is the same for all.
    return re.sub(
        rf'^name = "{DEFAULT_SLUG}"$', f'name = "{SLUG_VARIABLE}"', lock_text, flags=re.MULTILINE
    )


def uv_export(study: Path, *options: str) -> str:
    """The hashed requirements uv.lock pins for the default groups (plus ``options``)."""
    uv = find_uv()
    command = [uv, *EXPORT, *options]
    return subprocess.run(command, cwd=study, check=True, capture_output=True, text=True).stdout


def blocks(requirements: str) -> list[str]:
    """One requirement per item, as written: its pin and markers, then its hashes."""
    lines = [line for line in requirements.splitlines() if not line.lstrip().startswith("#")]
    return [block for block in re.split(r"\n(?=\S)", "\n".join(lines).strip()) if block]


def entries(requirements: str) -> list[str]:
    """One requirement per item, with its pin, markers and hashes on one line."""
    return [
        " ".join(part.strip() for part in block.split("\\\n")).strip()
        for block in blocks(requirements)
    ]


def optional_sets(study: Path) -> dict[str, tuple[str, str]]:
    """Each optional extra and non-default dependency group, with its `uv export` option."""
    pyproject = tomllib.loads((study / "pyproject.toml").read_text(encoding="utf-8"))
    sets = {
        name: ("--extra", name) for name in pyproject["project"].get("optional-dependencies", {})
    }
    default = pyproject.get("tool", {}).get("uv", {}).get("default-groups", ["dev"])
    for group in pyproject.get("dependency-groups", {}):
        if group not in default:
            sets[group] = ("--group", group)
    return dict(sorted(sets.items()))


def extra_additions(base: str, with_extra: str) -> str:
    """The requirement blocks an extra brings beyond ``base``.

    pip accepts a pin given twice when both copies agree, so a package that the extra needs
    under wider markers than the base may appear in both files.
    """
    known = set(entries(base))
    added = [block for block in blocks(with_extra) if entries(block)[0] not in known]
    return "\n".join(added) + "\n"


def environment_yml(requirements: str, slug: str, name: str) -> str:
    """conda's environment file: the pinned Python, pip, and every pin of ``requirements``.

    ``name`` is the environment's name as a YAML scalar, ``slug`` the same in plain words.
    """
    pins = "".join(f"      - {json.dumps(entry)}\n" for entry in entries(requirements))
    return (
        ENVIRONMENT_HEADER.format(name=slug)
        + f"name: {name}\n"
        + "channels:\n  - conda-forge\n"
        + f"dependencies:\n  - python={CLOUD_PYTHON}\n  - pip\n  - pip:\n{pins}"
    )


def exports(study: Path, slug: str | None = None) -> dict[str, str]:
    """Every file exported from the study's uv.lock, by path inside the study.

    With a ``slug``, the files as a study of that name holds them; without, as the template
    holds them (the name left to cookiecutter).
    """
    if slug is None:
        slug, name = SLUG_VARIABLE, ENV_NAME_VARIABLE
    else:
        from extension_name import load as load_extensions  # tools/extension_name.py

        name = load_extensions().yaml_string(slug)
    base = uv_export(study)
    requirements = REQUIREMENTS_HEADER.format(command=" ".join(EXPORT)) + base
    files = {
        "requirements.txt": requirements,
        "environment.yml": environment_yml(base, slug, name),
        "binder/runtime.txt": RUNTIME,
    }
    kinds = {"--extra": "optional extra", "--group": "dependency group"}
    for optional, option in optional_sets(study).items():
        header = EXTRA_HEADER.format(kind=kinds[option[0]], name=optional)
        added = extra_additions(base, uv_export(study, *option))
        files[f"requirements/{optional}.txt"] = header + added
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="move every pin to the newest")
    args = parser.parse_args()
    uv = find_uv()
    with tempfile.TemporaryDirectory() as tmp:
        study = render(Path(tmp))
        command = [uv, "lock", "--quiet"]
        if args.upgrade:
            command.append("--upgrade")
        subprocess.run(command, cwd=study, check=True)
        text = (study / "uv.lock").read_text(encoding="utf-8")
        files = exports(study)
    LOCK.write_text(templated(text), encoding="utf-8")
    print(f"wrote {LOCK.relative_to(ROOT)}")
    # requirements/ holds exports only: an extra that pyproject.toml dropped goes too.
    for old in (STUDY / "requirements").glob("*.txt"):
        old.unlink()
    for relative, content in files.items():
        target = STUDY / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
