"""Stage 1, get the data: write the raw table to ``data/raw`` for DVC to track.

    python -m {{ cookiecutter.module_name }}.get_data

A bundled dataset is written out from scikit-learn. A URL (``data.url``) is downloaded to
a temporary file beside the target, and only when its SHA-256 equals ``data.sha256`` does
it take its place: a failed or wrong download never leaves a file in ``data/``.
"""

from __future__ import annotations

import pooch

from . import datasets, paths
from .files import atomic_path, write_csv_atomic
from .params import read
from .validation import DataProblem, shown

# pooch's downloader for each kind of URL the study accepts.
DOWNLOADERS = {
    "http": lambda: pooch.HTTPDownloader(timeout=60),
    "https": lambda: pooch.HTTPDownloader(timeout=60),
    "ftp": lambda: pooch.FTPDownloader(timeout=60),
}


def expected_sha256(text: str) -> str:
    """The checksum as written in params.yaml, with or without a ``sha256:`` prefix."""
    return str(text).strip().lower().removeprefix("sha256:")


def download(url: str, sha256: str, target) -> None:
    """Fetch ``url`` into ``target`` if, and only if, its SHA-256 is ``sha256``."""
    expected = expected_sha256(sha256)
    with atomic_path(target) as tmp:
        scheme = url.split("://", 1)[0].lower()
        if scheme not in DOWNLOADERS:
            raise DataProblem(f"{url} is not an http, https or ftp URL (data.url)")
        try:
            DOWNLOADERS[scheme]()(url, str(tmp), None)
        except (ValueError, OSError) as error:  # requests' errors are OSErrors
            raise DataProblem(f"could not download {url}: {error}") from None
        actual = pooch.file_hash(str(tmp), alg="sha256")
        if actual != expected:
            raise DataProblem(
                f"checksum mismatch for {url}: params.yaml expects SHA-256 {expected}, the "
                f"download has {actual}. The file changed at its source or was damaged on the "
                "way, so it was not kept. If you trust the new file, put its checksum in "
                "data.sha256 in params.yaml."
            )


def main() -> None:
    data = read()["data"]
    if data["dataset"] in datasets.BUNDLED:
        write_csv_atomic(datasets.load_bundled(data["dataset"], data["target"]), paths.RAW_DATA)
    else:
        try:
            download(data["url"], data["sha256"], paths.RAW_DATA)
        except DataProblem as problem:
            raise SystemExit(f"get_data: {problem}") from None
    size = paths.RAW_DATA.stat().st_size
    print(f"get_data: {shown(paths.RAW_DATA)} ({size:,} bytes)")


if __name__ == "__main__":
    main()
