"""Fast tier: facts stated in two places of a study agree, by test where not by construction.

- every package the study's code, tests and notebooks import is declared in its
  pyproject.toml (a package that only arrives through another one can vanish in an update);
- params.yaml holds exactly the settings kit/params.py's rules know;
- the package map in kit/__init__.py names every module of kit/;
- every kit/<name>.py and docs/<name>.md the package names is in that study (pandas, dask).
"""

from __future__ import annotations

import ast
import importlib
import re
import sys

import pytest
import yaml
from conftest import TEMPLATE

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Import names whose distribution has another name.
DISTRIBUTION = {
    "sklearn": "scikit-learn",
    "yaml": "pyyaml",
    "markdown_it": "markdown-it-py",
    "dask": "dask",
    "distributed": "distributed",
}


def third_party_imports(folder) -> set[str]:
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names}


def declared(pyproject: dict, extras: list[str], groups: list[str]) -> set[str]:
    project = pyproject["project"]
    specs = list(project["dependencies"])
    specs += [s for extra in extras for s in project["optional-dependencies"][extra]]
    specs += [s for group in groups for s in pyproject["dependency-groups"][group]]
    return {re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0].lower() for spec in specs}


@pytest.mark.parametrize("answers", [{}, {"compute": "dask"}], ids=["pandas", "dask"])
def test_every_imported_package_is_declared(render, answers):
    study = render(**answers)
    package = next(p for p in (study.path / "src").iterdir() if p.is_dir())
    pyproject = tomllib.loads(study.read("pyproject.toml"))
    extras = ["dask"] if answers.get("compute") == "dask" else []
    # The groups every setup installs (the update command's cruft is one).
    groups = pyproject["tool"]["uv"]["default-groups"]
    wanted = {
        "the package": (third_party_imports(package) - {package.name}, extras, groups),
        "tests and notebooks": (
            (
                third_party_imports(study.path / "tests")
                | third_party_imports(study.path / "notebooks")
            )
            - {package.name, "conftest"},
            extras,
            groups,
        ),
    }
    undeclared = []
    for where, (imports, extra, groups) in wanted.items():
        names = declared(pyproject, extra, groups)
        for name in sorted(imports):
            if DISTRIBUTION.get(name, name).lower().replace("_", "-") not in names:
                undeclared.append(f"{where}: {name}")
    assert undeclared == []


def rules(model) -> dict:
    """The settings a pydantic model knows, nested as params.yaml nests them."""
    found = {}
    for name, field in model.model_fields.items():
        kind = field.annotation
        found[name] = (
            rules(kind) if isinstance(kind, type) and hasattr(kind, "model_fields") else None
        )
    return found


def keys(document: dict) -> dict:
    return {k: keys(v) if isinstance(v, dict) else None for k, v in document.items()}


@pytest.fixture(scope="module")
def params_module(tmp_path_factory):
    from conftest import render_into

    found = {}
    for compute in ("pandas", "dask"):
        study = render_into(tmp_path_factory.mktemp(compute), compute=compute)
        sys.path.insert(0, str(study.path / "src"))
        try:
            found[compute] = (study, importlib.import_module("digits_practice_study.kit.params"))
        finally:
            sys.path.remove(str(study.path / "src"))
            for name in [n for n in sys.modules if n.startswith("digits_practice_study")]:
                del sys.modules[name]
    return found


@pytest.mark.parametrize("compute", ["pandas", "dask"])
def test_params_yaml_holds_exactly_the_settings_the_rules_know(params_module, compute):
    """A setting in params.yaml that the rules do not know would be refused; one the rules
    know but params.yaml leaves out is a default the learner cannot see."""
    study, params = params_module[compute]
    only_written, only_known = [], []

    def compare(prefix: str, written: dict, known: dict) -> None:
        for name in sorted(set(written) | set(known)):
            where = f"{prefix}{name}"
            if prefix == "train." and name not in ("model", "seed"):
                continue  # one block per model: checked against study.py's MODELS instead
            if name not in known:
                only_written.append(where)
            elif name not in written:
                if not (compute == "pandas" and name in DASK_ONLY) and name not in URL_ONLY:
                    only_known.append(where)
            elif isinstance(known[name], dict):
                compare(f"{where}.", written[name] or {}, known[name])

    compare("", keys(yaml.safe_load(study.read("params.yaml"))), rules(params.Params))
    assert (only_written, only_known) == ([], [])


# Settings of a study that computes with Dask (its params.yaml has them).
DASK_ONLY = {"train_rows", "worker_memory"}
# Settings of a study whose data comes from a URL (data.url, data.sha256).
URL_ONLY = {"url", "sha256"}


def test_the_package_map_names_every_kit_module(render):
    study = render(compute="dask")
    kit = next(p for p in (study.path / "src").iterdir() if p.is_dir()) / "kit"
    text = (kit / "__init__.py").read_text(encoding="utf-8")
    unnamed = [
        p.stem
        for p in sorted(kit.glob("*.py"))
        if p.stem != "__init__" and not re.search(rf"^\s+{p.stem}\b|{p.stem}\.py", text, re.M)
    ]
    assert unnamed == []


# The kit's modules in the template, whichever study renders them (table_dask.py: a Dask
# study's only), so a bare `table_dask.py` in a pandas study's package is found too.
TEMPLATE_KIT = {
    path.stem for path in (TEMPLATE / "{{cookiecutter.project_slug}}" / "src").glob("*/kit/*.py")
}


@pytest.mark.parametrize("compute", ["pandas", "dask"])
def test_every_file_the_package_points_to_is_in_the_study(render, compute):
    """The post-generation hook removes the Dask backend and docs/dask.md from a pandas
    study: its package must not send a reader to them."""
    study = render(compute=compute)
    package = next(p for p in (study.path / "src").iterdir() if p.is_dir())
    absent = []
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        named = [package / "kit" / f"{n}.py" for n in re.findall(r"\bkit/(\w+)\.py\b", text)]
        named += [study.path / "docs" / f"{n}.md" for n in re.findall(r"\bdocs/(\w+)\.md\b", text)]
        named += [
            package / "kit" / f"{n}.py"
            for n in re.findall(r"(?<![\w/.])(\w+)\.py\b", text)
            if n in TEMPLATE_KIT
        ]
        where = path.relative_to(study.path).as_posix()
        absent += [
            f"{where}: {p.relative_to(study.path).as_posix()}" for p in named if not p.exists()
        ]
    assert absent == []
