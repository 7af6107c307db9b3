"""Read ``params.yaml``, the single home of every setting that shapes a result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .paths import PARAMS


def load(path: Path = PARAMS) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)
