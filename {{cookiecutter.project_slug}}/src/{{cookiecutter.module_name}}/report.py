"""Stage 5, report: turn WRITEUP.md and the pipeline's outputs into one shareable page.

    python -m {{ cookiecutter.module_name }}.report

``reports/writeup.html`` is self-contained (figures embedded) and readable offline. This
stage computes nothing new: every number in it comes from ``reports/metrics.json``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import sys
from pathlib import Path

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import paths, provenance
from .files import write_text_atomic

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def split_front_matter(text: str) -> tuple[dict, str]:
    """The YAML block between the first two ``---`` lines, and the Markdown after it."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1)) or {}, text[match.end() :]


def fmt(value: float) -> str:
    """How every number appears in the write-up: three decimals."""
    return f"{value:.3f}"


def lookup(metrics: dict, dotted: str):
    value = metrics
    for part in dotted.split("."):
        try:
            value = value[part]
        except (KeyError, TypeError):
            raise KeyError(f"metrics.json has no {dotted!r}") from None
    return value


def results_table(metrics: dict) -> str:
    """Model and baseline side by side: CV mean ± sd, test score and its interval."""
    name, level = metrics["metric"], round(metrics["confidence"] * 100)
    rows = [
        f"| | cross-validation {name} (mean ± sd) | test {name} | {level}% interval |",
        "|---|---|---|---|",
    ]
    for label in ("model", "baseline"):
        m = metrics[label]
        rows.append(
            f"| {label} | {fmt(m['cv']['mean'])} ± {fmt(m['cv']['sd'])} | "
            f"{fmt(m['test'][name])} | {fmt(m['test_ci']['low'])} to {fmt(m['test_ci']['high'])} |"
        )
    diff = metrics["difference"]
    rows.append(
        f"| model − baseline | | {fmt(diff['test'])} | "
        f"{fmt(diff['test_ci']['low'])} to {fmt(diff['test_ci']['high'])} |"
    )
    others = [k for k in metrics["model"]["test"] if k != name]
    table = "\n".join(rows)
    if others:
        table += "\n\n| other test metrics | model | baseline |\n|---|---|---|\n" + "\n".join(
            f"| {k} | {fmt(metrics['model']['test'][k])} | {fmt(metrics['baseline']['test'][k])} |"
            for k in others
        )
    return table


class FigureProblem(Exception):
    """A figure WRITEUP.md asks for is missing, or two figures share a name."""


def data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")


def render_markdown(source: str, metrics: dict, figures: dict[str, Path]) -> str:
    """Fill the write-up's placeholders from the outputs, then turn Markdown into HTML."""

    def figure(name: str, caption: str = "") -> str:
        if name not in figures:
            raise FigureProblem(
                f"WRITEUP.md asks for figure({name!r}), but there is no {name}.png in "
                f"reports/figures or figures/; the figures there are: {', '.join(figures)}"
            )
        return f"![{caption or name.replace('_', ' ')}]({data_uri(figures[name])})"

    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    filled = env.from_string(source).render(
        metrics=metrics,
        metric=lambda dotted: fmt(lookup(metrics, dotted)),
        results_table=results_table(metrics),
        figure=figure,
        all_figures="\n\n".join(figure(name) for name in sorted(figures)),
    )
    # html=False: raw HTML typed into the write-up is shown as text, never run.
    markdown = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable("table")
    return markdown.render(filled)


def build(source_text: str, metrics: dict, env_info: dict, figures: dict[str, Path]) -> str:
    meta, body = split_front_matter(source_text)
    # The page template only fills in values: all logic stays here in Python.
    page = Environment(
        loader=PackageLoader(__package__, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
    ).get_template("writeup.html.j2")
    packages = "; ".join(f"{k} {v}" for k, v in env_info.get("packages", {}).items())
    return page.render(
        title=meta.get("title") or "Practice study",
        question=meta.get("question") or "",
        author=meta.get("author") or "",
        intended_use=meta.get("intended_use")
        or "Not stated yet: say who may use this model, and for what.",
        limitations=meta.get("limitations")
        or "Not stated yet: say where this model should not be trusted.",
        level=round(metrics["confidence"] * 100),
        packages=packages,
        body=Markup(render_markdown(body, metrics, figures)),
        metrics=metrics,
        fmt=fmt,
        environment=env_info,
        commit=provenance.git_commit(),
        data_hash=provenance.data_hash(),
        built=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def all_figures() -> dict[str, Path]:
    """The pipeline's figures and the learner's own (figures/), by name; a name used twice
    would make figure(name) ambiguous, so it is refused."""
    drawn = {png.stem: png for png in sorted(paths.FIGURES.glob("*.png"))}
    own = {png.stem: png for png in sorted(paths.MY_FIGURES.glob("*.png"))}
    for name in drawn.keys() & own.keys():
        raise FigureProblem(
            f"figures/{name}.png has the name of a figure the pipeline draws: "
            "rename your file (and its figure(...) in WRITEUP.md)"
        )
    return drawn | own


def main() -> None:
    try:
        html = build(
            paths.WRITEUP_SOURCE.read_text(encoding="utf-8"),
            json.loads(paths.METRICS.read_text(encoding="utf-8")),
            json.loads(paths.ENVIRONMENT.read_text(encoding="utf-8")),
            all_figures(),
        )
    except FigureProblem as problem:
        sys.exit(f"report: {problem}")
    write_text_atomic(html, paths.WRITEUP)
    print(f"report: {paths.WRITEUP.relative_to(paths.ROOT)} (open it in a browser to read)")


if __name__ == "__main__":
    main()
