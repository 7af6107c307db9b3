"""Turn measured figures into docs/benchmarks.md. No timing here: only formatting, so the
page can be checked on made-up numbers (tests/test_benchmarks.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .timing import Sample

MB = 1_000_000


@dataclass
class Figure:
    """One line of the results table."""

    name: str
    value: float
    unit: str  # "s", "x" (a ratio) or "MB"
    target: float | None = None  # the figure must be at most this; None: recorded only
    detail: str = ""
    cpu: float | None = None  # median CPU seconds of the same runs, for times

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "met" if self.value <= self.target else "**missed**"


def timed(name: str, sample: Sample, target: float | None = None, note: str = "") -> Figure:
    """A Figure from repeated runs: their median, with the range and count beside it."""
    if sample.runs == 1:
        spread = "1 run"
    else:
        spread = f"median of {sample.runs}, range {sample.low:.2f}-{sample.high:.2f} s"
    return Figure(
        name, sample.median, "s", target, "; ".join(filter(None, [spread, note])), sample.cpu
    )


@dataclass
class Report:
    machine: dict[str, str]
    load_start: tuple[float, float, float]
    load_end: tuple[float, float, float]
    started: str  # UTC, as text
    figures: list[Figure]
    # (distribution, bytes) of the study's default environment, largest first
    packages: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # benchmarks that could not run
    command: str = "make bench"


def number(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:g} {unit}"


def loads(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def figures_table(figures: list[Figure]) -> str:
    rows = [
        "| Figure | Measured | Target | | CPU time | How measured |",
        "|---|---:|---:|---|---:|---|",
    ]
    for f in figures:
        target = f"<= {number(f.target, f.unit)}" if f.target is not None else ""
        cpu = number(f.cpu, "s") if f.cpu is not None else ""
        rows.append(
            f"| {f.name} | {number(f.value, f.unit)} | {target} | {f.verdict} | {cpu} "
            f"| {f.detail} |"
        )
    return "\n".join(rows)


def packages_table(packages: list[tuple[str, int]], top: int = 12) -> str:
    rows = ["| Package | Size on disk |", "|---|---:|"]
    rows += [f"| {name} | {number(size / MB, 'MB')} |" for name, size in packages[:top]]
    return "\n".join(rows)


def render(report: Report) -> str:
    """The whole page, as Markdown."""
    machine = "\n".join(f"| {key} | {value} |" for key, value in report.machine.items())
    missed = [f.name for f in report.figures if f.verdict == "**missed**"]
    summary = f"Missed: {', '.join(missed)}." if missed else "Every figure with a target meets it."
    if report.failures:
        summary += " Not measured (the command failed): " + "; ".join(report.failures) + "."
    parts = [
        "# Benchmarks",
        (
            f"Written by `{report.command}` (`benchmarks/run.py`); do not edit by hand. Measured "
            f"{report.started}. Each time is the median of repeated runs after one warm-up run "
            "that is not counted. The CPU is shared, so the load average is part of every figure; "
            "CPU time (user + system, of every process a run started) barely depends on it, and "
            "for serial work it is close to what an idle machine would take."
        ),
        summary,
        "## Results",
        figures_table(report.figures),
        "## Machine",
        "| | |\n|---|---|\n"
        + machine
        + f"\n| load average (1/5/15 min) at start | {loads(report.load_start)} |"
        + f"\n| load average (1/5/15 min) at end | {loads(report.load_end)} |",
    ]
    if report.packages:
        parts += [
            "## What the study's environment holds",
            (
                "The largest packages of a fresh study's `.venv` after `make setup` (files each "
                "package installed, bytecode excluded):"
            ),
            packages_table(report.packages),
        ]
    if report.notes:
        parts += ["## Notes", "\n".join(f"- {note}" for note in report.notes)]
    return "\n\n".join(parts) + "\n"
