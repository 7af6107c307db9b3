"""Stage 1, get the data: write the raw table to ``data/raw`` for DVC to track.

    python -m {{ cookiecutter.module_name }}.get_data

A bundled dataset is written out from scikit-learn. A URL (``data.url``) is downloaded by
pooch, which keeps the file only when its SHA-256 equals ``data.sha256``: a failed or
changed download never leaves a file in ``data/``.
"""

from __future__ import annotations

from .kit.files import atomic_path
from .kit.params import read_params
from .kit.paths import RAW_DATA, shown
from .kit.reading import BUNDLED, load_bundled


def download(url: str, sha256: str) -> None:
    """Fetch ``url`` into data/raw if, and only if, its SHA-256 is ``sha256``."""
    import pooch

    expected = str(sha256).strip().lower().removeprefix("sha256:")
    try:
        pooch.retrieve(
            url, known_hash=f"sha256:{expected}", fname=RAW_DATA.name, path=RAW_DATA.parent
        )
    except ValueError as error:  # a checksum mismatch, or not an http/https/ftp URL
        raise SystemExit(
            f"get_data: {url}: {error}\nThe file was not kept. If the source changed and you "
            "trust the new file, put its checksum in data.sha256 in params.yaml."
        ) from None
    except OSError as error:  # no connection, a 404 ... (requests' errors are OSErrors)
        raise SystemExit(f"get_data: could not download {url}: {error}") from None


def main() -> None:
    data = read_params()["data"]
    if data["dataset"] in BUNDLED:
        with atomic_path(RAW_DATA) as tmp:
            load_bundled(data["dataset"], data["target"]).to_csv(tmp, index=False)
    else:
        download(data["url"], data["sha256"])
    print(f"get_data: {shown(RAW_DATA)} ({RAW_DATA.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
