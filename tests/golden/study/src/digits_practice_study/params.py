"""Read ``params.yaml``, the single home of every setting that shapes a result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .datasets import resolve_task
from .paths import PARAMS


def read(path: Path = PARAMS) -> dict[str, Any]:
    """params.yaml exactly as written, ``auto`` values included."""
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def load(path: Path = PARAMS) -> dict[str, Any]:
    """params.yaml with ``task: auto`` decided from the data: what every stage uses."""
    return resolve_task(read(path))
