"""Stage 5, report: turn WRITEUP.md and the pipeline's outputs into one shareable page.

    python -m digits_practice_study.report

``reports/writeup.html`` is self-contained (figures embedded) and readable offline. This
stage computes nothing new: every number in it comes from ``reports/metrics.json``,
``data/decisions.json`` and the ledger of tries, ``reports/ledger.csv`` (kit/writeup.py).
"""

from __future__ import annotations

import sys

from .kit import decisions, writeup
from .kit.files import read_json, write_text
from .kit.paths import ENVIRONMENT, METRICS, WRITEUP, WRITEUP_SOURCE, shown


def main() -> None:
    source = WRITEUP_SOURCE.read_text(encoding="utf-8")
    metrics = read_json(METRICS)
    try:
        html = writeup.build(
            source, metrics, read_json(ENVIRONMENT), writeup.all_figures(), decisions.load()
        )
    except writeup.FigureProblem as problem:
        sys.exit(f"report: {problem}")
    write_text(html, WRITEUP)
    writeup.print_findings(source, metrics)
    print(f"report: {shown(WRITEUP)} (open it in a browser to read)")


if __name__ == "__main__":
    main()
