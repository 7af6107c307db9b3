"""Stage 1, get the data: write the raw table to ``data/raw`` for DVC to track.

    python -m {{ cookiecutter.module_name }}.get_data
"""

from __future__ import annotations

from . import datasets, paths
from .params import load
from .files import write_csv_atomic


def main() -> None:
    data = load()["data"]
    frame = datasets.load_bundled(data["dataset"], data["target"])
    write_csv_atomic(frame, paths.RAW_DATA)
    print(f"get_data: {len(frame)} rows x {frame.shape[1]} columns -> "
          f"{paths.RAW_DATA.relative_to(paths.ROOT)}")


if __name__ == "__main__":
    main()
