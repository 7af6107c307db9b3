"""The write-up: WRITEUP.md and the pipeline's outputs as one shareable page,
``reports/writeup.html``, self-contained (figures embedded) and readable offline.

It computes nothing new: every number in it comes from ``reports/metrics.json``,
``data/decisions.json`` and the ledger of tries, ``reports/ledger.csv``.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from . import ledger
from .claims import check_claims, split_front_matter
from .decisions import Decisions, Identical, Role, SplitKind
from .files import fmt, markdown_table
from .paths import FIGURES, MY_FIGURES
from .provenance import data_hash, git_commit, preregistration
from .summary import classes_account, roles_table, rows_account


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
    header = ["", f"cross-validation {name} (mean ± sd)", f"test {name}", f"{level}% interval"]
    rows = []
    for label in ("model", "baseline"):
        m = metrics[label]
        cv, ci = m["cv"], m["test_ci"]
        rows.append(
            [
                label,
                f"{fmt(cv['mean'])} ± {fmt(cv['sd'])}",
                fmt(m["test"][name]),
                f"{fmt(ci['low'])} to {fmt(ci['high'])}",
            ]
        )
    diff = metrics["difference"]
    ci = diff["test_ci"]
    rows.append(
        ["model − baseline", "", fmt(diff["test"]), f"{fmt(ci['low'])} to {fmt(ci['high'])}"]
    )
    table = markdown_table(header, rows) + "\n\n" + interval_methods(metrics)
    others = [k for k in metrics["model"]["test"] if k != name]
    if others:
        table += "\n\n" + markdown_table(
            ["other test metrics", "model", "baseline"],
            [
                [k, fmt(metrics["model"]["test"][k]), fmt(metrics["baseline"]["test"][k])]
                for k in others
            ],
        )
    return table


# How each interval of metrics.json was found (its "method"; kit/scoring.py says why).
METHODS = {
    "wilson": "Wilson's score interval for the share of test rows predicted right (unlike "
    "resampling the rows, it does not shrink to a point at a perfect score)",
    "bootstrap": "the percentile bootstrap: the metric on resamples of the test rows",
    "wilson per class": "a Wilson interval for each class's shares (every bootstrap resample "
    "scored the same, so resampling could not show the uncertainty)",
    "newcombe": "Newcombe's interval for the difference of two shares measured on the same "
    "test rows, from their Wilson intervals",
    "paired bootstrap": "the paired bootstrap: model and baseline scored on the same resamples",
    "mover": "the two intervals combined (MOVER): wider than needed, never narrower",
}


# The same, in a few words, for the model card.
METHOD_NAMES = {
    "wilson": "Wilson score interval",
    "bootstrap": "bootstrap interval",
    "wilson per class": "Wilson intervals per class",
}


def interval_methods(metrics: dict) -> str:
    """Which method made each interval of the results table, in words (kit/scoring.py says
    why each holds); older metrics.json files name none: theirs were bootstrapped."""
    level = round(metrics["confidence"] * 100)
    model, baseline = (
        metrics[k]["test_ci"].get("method", "bootstrap") for k in ("model", "baseline")
    )
    difference = metrics["difference"]["test_ci"].get("method", "paired bootstrap")
    scores = (
        METHODS[model]
        if model == baseline
        else f"for the model, {METHODS[model]}; for the baseline, {METHODS[baseline]}"
    )
    return (
        f"How the {level}% intervals were found. Test scores: {scores}. Model − baseline: "
        f"{METHODS[difference]}."
    )


def leakage_account(decisions: Decisions) -> str:
    """What the leakage checks found, in a few sentences the learner can build on."""
    split, lines = decisions.split, []
    if split.keeps_copies_apart:
        lines.append(
            "- No row of feature values is in both the training and the test set (checked)."
        )
    elif split.identical is Identical.EXPECTED:
        lines.append(
            "- Identical rows are expected in this table and were split one by one, so a test "
            "row's features can also appear in training rows: the score measures how well the "
            "model knows these combinations, not unseen ones."
        )
    lines.append("- The target is not among the features, nor copied under another name (checked).")
    identifiers = [f"`{name}`" for name in decisions.names_with(Role.IDENTIFIER)]
    if identifiers:
        lines.append(
            f"- Left out as identifiers, never seen by the model: {', '.join(identifiers)}."
        )
    lines += entity_sentences(decisions)
    time = decisions.time
    if time is not None and split.kind is not SplitKind.TIME:
        order = ", and the rows come in time order" if time.sorted else ""
        lines.append(
            f"- The table has a time ({', '.join(f'`{c}`' for c in time.columns)}{order}) but "
            "rows were not split by it: the model was tested on the same period it learned "
            "from, with later rows among its training rows. To test on the future, set "
            f"`prepare.split: time` and `prepare.time_column: {time.columns[0]}`."
        )
    alone = decisions.single_features.alone
    close = decisions.single_features.close_to_all()
    few = (
        f" On {decisions.rows.train} training rows a single feature can also come close by "
        "chance; the question stands all the same."
        if decisions.small_sample
        else ""
    )
    asked = {n: s for n, s in close.items() if not s.follows_time}
    times = {n: s for n, s in close.items() if s.follows_time}
    if times:
        named = ", ".join(f"`{n}` ({s.share:.0%})" for n, s in times.items())
        reach = "reaches" if len(times) == 1 else "reach"
        advice = (
            "the test rows are the latest ones, so this is how the trend carries forward"
            if split.kind is SplitKind.TIME
            else "with rows split at random the model learns each period from its neighbours, "
            "which says little about later periods: `prepare.split: time` tests on them"
        )
        lines.append(
            f"- **Time carries the score:** alone, {named} {reach} most of what all features "
            "reach together, and each is the table's time or rises or falls with it. That may "
            f"be time, not a leak: the target follows a trend, and {advice}.{few}"
        )
    if asked:
        named = ", ".join(f"`{n}` ({s.share:.0%})" for n, s in asked.items())
        lines.append(
            "- **Worth a question:** alone, with no other feature, these reach most of what "
            "all features reach together (a small decision tree, cross-validated on training "
            f"rows): {named}. Is each known at the moment a prediction would be made, or "
            "recorded after the outcome? If after, it leaks the answer: list it under "
            f"`data.drop_columns`.{few}"
        )
    elif alone and not times:
        name, strongest = next(iter(alone.items()))
        lines.append(
            "- No single feature comes close to all features together (the strongest alone, "
            f"`{name}`, reaches {strongest.share:.0%} of their gain over the baseline)."
        )
    return "\n".join(lines)


def entity_sentences(decisions: Decisions) -> list[str]:
    """Whether the rows of one entity (a person seen every year) could be on both sides."""
    split, lines = decisions.split, []
    for entity in decisions.entities:
        repeats = "repeats" if entity.sure else "may repeat"  # sure: see kit/roles.py
        if split.kind is SplitKind.GROUP and split.column == entity.column:
            lines.append(
                f"- `{entity.column}` {repeats} like an entity ({entity.entities} values): all "
                "rows of each are on one side of the split, and each cross-validation fold "
                "keeps them together, so the model is tested on ones it has not seen."
            )
        else:
            lines.append(
                f"- `{entity.column}` {repeats} like an entity ({entity.entities} values), and "
                "rows of the same one are in both the training and the test set: the score is "
                "on ones the model has already seen. To test on new ones, set "
                f"`prepare.split: group` and `prepare.group_column: {entity.column}`."
            )
    return lines


class FigureProblem(Exception):
    """A figure WRITEUP.md asks for is missing, or two figures share a name."""


def data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")


# Where a reviewer's note goes: typed after the paragraph, replaced once it is HTML.
NOTE_MARK = re.compile(r"\s*⟦note(\d+)⟧\s*(</p>)?")


def mark_notes(source: str, findings: list) -> tuple[str, list[list]]:
    """``source`` with a mark after each flagged paragraph, and the findings of each mark."""
    lines, notes = source.split("\n"), {}
    for finding in findings:
        notes.setdefault(finding.line, []).append(finding)
    for number, line in enumerate(sorted(notes)):
        lines[line - 1] += f" ⟦note{number}⟧"
    return "\n".join(lines), [notes[line] for line in sorted(notes)]


def note_html(findings: list) -> str:
    """One reviewer's note: each flagged sentence, with every rule it breaks and why."""
    reasons = {}
    for f in findings:
        reasons.setdefault(f.sentence, []).append(f"{escape(f.message)} ({escape(f.rule)})")
    items = "".join(
        f"<li><em>{escape(sentence)}</em> {' '.join(why)}</li>" for sentence, why in reasons.items()
    )
    title = "<strong>Reviewer's note</strong>"
    return f'<div class="reviewer-note" role="note">{title}<ul>{items}</ul></div>'


def render_markdown(
    source: str,
    metrics: dict,
    figures: dict[str, Path],
    decisions: dict,
    notes: list = (),
    rows=None,
) -> str:
    """Fill the write-up's placeholders from the outputs, then turn Markdown into HTML.

    ``notes``: the findings at each mark that ``mark_notes`` left in ``source``.
    """
    rows = ledger.ledger() if rows is None else rows

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
        decisions=decisions,
        data_account=rows_account(decisions),
        task_and_classes=classes_account(decisions),
        column_roles=roles_table(decisions),
        leakage_checks=leakage_account(decisions),
        metric=lambda dotted: fmt(lookup(metrics, dotted)),
        results_table=results_table(metrics),
        figure=figure,
        all_figures="\n\n".join(figure(name) for name in sorted(figures)),
        tries_table=ledger.compare_table(rows),
        test_looks=ledger.looks_statement(rows),
        preregistration=str(preregistration(first_look=ledger.first_look(rows))),
    )
    # html=False: raw HTML typed into the write-up is shown as text, never run.
    markdown = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable("table")

    def place(match: re.Match) -> str:
        note = note_html(notes[int(match.group(1))])
        return f"</p>\n{note}" if match.group(2) else note

    return NOTE_MARK.sub(place, markdown.render(filled))


def build(
    source_text: str,
    metrics: dict,
    env_info: dict,
    figures: dict[str, Path],
    decisions: dict,
    rows=None,
) -> str:
    # Claims the numbers do not support get a reviewer's note after their paragraph.
    marked, notes = mark_notes(source_text, check_claims(source_text, metrics))
    meta, body = split_front_matter(marked)
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
        interval_method=METHOD_NAMES[metrics["model"]["test_ci"].get("method", "bootstrap")],
        packages=packages,
        body=Markup(render_markdown(body, metrics, figures, decisions, notes, rows)),
        metrics=metrics,
        fmt=fmt,
        environment=env_info,
        commit=git_commit().text,
        data_hash=data_hash().text,
        built=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def print_findings(source_text: str, metrics: dict) -> None:
    """Each claim the rules flag, with its line in WRITEUP.md. A note, never an error."""
    for f in check_claims(source_text, metrics):
        print(f"report: reviewer's note, WRITEUP.md line {f.first} ({f.section}):")
        print(f'    "{f.sentence}"\n    {f.message}')


def all_figures() -> dict[str, Path]:
    """The pipeline's figures and the learner's own (figures/), by name; a name used twice
    would make figure(name) ambiguous, so it is refused."""
    drawn = {png.stem: png for png in sorted(FIGURES.glob("*.png"))}
    own = {png.stem: png for png in sorted(MY_FIGURES.glob("*.png"))}
    for name in drawn.keys() & own.keys():
        raise FigureProblem(
            f"figures/{name}.png has the name of a figure the pipeline draws: "
            "rename your file (and its figure(...) in WRITEUP.md)"
        )
    return drawn | own
