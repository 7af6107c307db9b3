"""Writing outputs so that a crash never leaves a half-written file behind."""

from __future__ import annotations

import json
import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only named in a type hint: the report stage then starts without pandas
    import pandas as pd


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside ``target``; move it into place only on success.

    The file is made with the usual permissions (0644 under the common umask), not
    mkstemp's owner-only 0600, so a colleague or a web server can read the outputs.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_csv_atomic(frame: pd.DataFrame, target: Path) -> None:
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False)


def write_json_atomic(data: Any, target: Path) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def write_text_atomic(text: str, target: Path) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
