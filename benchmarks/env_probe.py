"""Run by a study's own Python: the size of each installed package, and which of them the
pipeline needs at run time. Prints JSON. Standard library plus `packaging` (a DVC dependency).

    <study>/.venv/bin/python env_probe.py <study>/src/<module>

"What the pipeline needs" is worked out, not listed by hand: DVC (which runs it), every
package the stage modules name in an import, and every package that is loaded when they are
imported (pandas loads pyarrow when it is installed, say) or when DVC reads a YAML file
(ruamel.yaml's C parser), with everything those require.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import json
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def size(dist: metadata.Distribution) -> int:
    total = 0
    for file in dist.files or []:
        with contextlib.suppress(OSError):  # a file listed but not installed
            total += Path(file.locate()).stat().st_size
    return total


def imported_modules(source_dir: Path) -> set[str]:
    names = set()
    for path in source_dir.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def closure(roots: set[str], installed: dict[str, metadata.Distribution]) -> set[str]:
    """Every installed distribution the roots require, extras left out."""
    needed, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in needed or name not in installed:
            continue
        needed.add(name)
        for text in installed[name].requires or []:
            requirement = Requirement(text)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(canonicalize_name(requirement.name))
    return needed


def loaded_modules(source_dir: Path) -> set[str]:
    """Top-level names in sys.modules after importing every module of the study's package
    (a stage only runs under ``__main__``). One that cannot be imported (an unchosen
    option's module, say) is skipped."""
    for path in source_dir.glob("*.py"):
        # Any failure just means the module adds nothing.
        with contextlib.suppress(Exception):
            importlib.import_module(f"{source_dir.name}.{path.stem}")
    from dvc.utils.serialize import parse_yaml

    parse_yaml("stages: {}", "dvc.yaml")  # as DVC reads dvc.yaml, dvc.lock and params.yaml
    return {name.split(".")[0] for name in sys.modules}


def main() -> None:
    source_dir = Path(sys.argv[1])
    installed = {canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions()}
    providers = metadata.packages_distributions()
    modules = imported_modules(source_dir) | loaded_modules(source_dir)
    own = {canonicalize_name(d) for d in providers.get(source_dir.name, [])}
    roots = {"dvc"} | {
        canonicalize_name(dist) for module in modules for dist in providers.get(module, [])
    } - own
    needed = closure(roots, installed)
    print(
        json.dumps(
            {
                "sizes": {name: size(dist) for name, dist in installed.items()},
                "pipeline": sorted(needed),
                "dvc": sorted(closure({"dvc"}, installed)),
            }
        )
    )


if __name__ == "__main__":
    main()
