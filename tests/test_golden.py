"""The default study, file by file, is exactly the committed snapshot in tests/golden/.

Every change to what the template renders therefore shows up in review as a diff of
tests/golden/. When this test fails for a change you meant: run `make golden`, read
`git diff tests/golden`, and commit the snapshot together with the change.
"""

from __future__ import annotations

import difflib
import sys

import pytest
from conftest import TEMPLATE

sys.path.append(str(TEMPLATE / "tools"))
import golden  # noqa: E402 - tools/golden.py, which `make golden` runs

HOW_TO_ACCEPT = (
    "If the change is intended, run `make golden`, review `git diff tests/golden` "
    "and commit it with the change."
)


def describe(expected: dict, actual: dict, limit: int = 60) -> str:
    """The differences as a reviewer would read them: files added, removed, and diffs."""
    lines = [f"added: {p}" for p in sorted(actual.keys() - expected.keys())]
    lines += [f"removed: {p}" for p in sorted(expected.keys() - actual.keys())]
    for path in sorted(expected.keys() & actual.keys()):
        old, new = expected[path], actual[path]
        if old == new:
            continue
        if isinstance(old, str) and isinstance(new, str):
            lines += difflib.unified_diff(
                old.splitlines(),
                new.splitlines(),
                f"golden/{path}",
                f"rendered/{path}",
                lineterm="",
            )
        else:
            lines.append(f"changed: {path} ({old} -> {new})")
    shown = lines[:limit] + ([f"... {len(lines) - limit} more lines"] if len(lines) > limit else [])
    return "\n".join(shown)


def test_the_default_study_matches_the_golden_snapshot(render):
    actual = golden.snapshot(render().path)
    expected = golden.stored()
    if actual != expected:
        pytest.fail(
            f"The rendered study differs from tests/golden/:\n"
            f"{describe(expected, actual)}\n\n{HOW_TO_ACCEPT}",
            pytrace=False,
        )
