"""Write docs/options.md, the options reference, from its two sources (`make docs`).

- ``cookiecutter.json``: the options, their choices and defaults, and under ``__prompts__``
  the exact question and choice labels cookiecutter shows. The reference quotes them.
- ``docs/options-effects.yaml``: what each answer changes in the study, one entry per option
  (and per choice). It is a file of its own, not a ``_help`` key in cookiecutter.json:
  cookiecutter copies every ``_`` key into each study's context (and so into the replay
  file and the hooks), and the prompts file stays short enough to read at a glance.

``python tools/options_doc.py`` rewrites the page; ``--check`` only says whether it is stale
or whether the sources disagree (tests/test_docs.py does the same).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COOKIECUTTER_JSON = ROOT / "cookiecutter.json"
EFFECTS = ROOT / "docs" / "options-effects.yaml"
PAGE = ROOT / "docs" / "options.md"


def load_sources() -> tuple[dict, dict]:
    options = json.loads(COOKIECUTTER_JSON.read_text(encoding="utf-8"))
    effects = yaml.safe_load(EFFECTS.read_text(encoding="utf-8")) or {}
    return options, effects


def asked(options: dict) -> list[str]:
    """The options cookiecutter asks about, in its order (keys with `_` are never asked)."""
    return [key for key in options if not key.startswith("_")]


def problems(options: dict, effects: dict) -> list[str]:
    """Every way the two sources disagree, each as one line a maintainer can act on."""
    found = []
    prompts = options.get("__prompts__", {})
    for key in asked(options):
        if key not in prompts:
            found.append(f"{key}: no question in cookiecutter.json's __prompts__")
        entry = effects.get(key)
        if not isinstance(entry, dict) or not str(entry.get("effect", "")).strip():
            found.append(f"{key}: no `effect` note in docs/options-effects.yaml")
            continue
        choices = options[key] if isinstance(options[key], list) else []
        notes = entry.get("choices") or {}
        for choice in choices:
            if not str(notes.get(choice, "")).strip():
                found.append(f"{key}={choice}: no note under `choices` in options-effects.yaml")
            if isinstance(prompts.get(key), dict) and choice not in prompts[key]:
                found.append(f"{key}={choice}: no label in cookiecutter.json's __prompts__")
        for choice in notes:
            if choice not in choices:
                found.append(f"{key}={choice}: documented, but not a choice in cookiecutter.json")
    for key in effects:
        if key not in options or key.startswith("_"):
            found.append(f"{key}: documented, but cookiecutter.json has no such option")
    return found


def rendered_defaults(options: dict) -> dict:
    """The default answers as cookiecutter works them out (derived ones rendered)."""
    from cookiecutter.prompt import prompt_for_config
    from extension_name import load  # tools/extension_name.py

    load()
    # local_extensions.py (the template's Jinja filters) is imported from the template root.
    sys.path.insert(0, str(ROOT))
    try:
        # prompt_for_config takes __prompts__ out of the context it is given: give it a copy.
        return dict(prompt_for_config({"cookiecutter": copy.deepcopy(options)}, no_input=True))
    finally:
        sys.path.remove(str(ROOT))


def when_asked(key: str) -> str:
    """When cookiecutter asks ``key``: by the quick start, or only with questions=all."""
    from extension_name import load  # tools/extension_name.py

    is_asked = load().is_asked

    def cases(**answers) -> list[str]:
        datasets = {"bundled data": "digits", "csv_url": "csv_url", "local_file": "local_file"}
        return [
            name
            for name, dataset in datasets.items()
            if is_asked(key, {**answers, "dataset": dataset})
        ]

    def said(found: list[str]) -> str:
        return "always" if "bundled data" in found else "for " + " and ".join(found)

    quick = cases()
    everything = cases(questions="all") or cases(questions="all", dvc_remote="s3")
    if quick:
        return (
            said(quick)
            if quick == everything
            else f"{said(quick)}; {said(everything)} with `questions=all`"
        )
    if everything:
        suffix = "" if cases(questions="all") else ", for a cloud or ssh remote"
        return f"with `questions=all`, {said(everything)}{suffix}".replace(", always", "")
    return "never: give it on the command line"


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return one_line(text).replace("|", "\\|")


def option_section(number: int, key: str, options: dict, effects: dict, default) -> list[str]:
    prompt = options["__prompts__"][key]
    question = prompt["__prompt__"] if isinstance(prompt, dict) else prompt
    entry = effects[key]
    lines = [f"## {number}. `{key}`", "", f"> {one_line(question)}", ""]
    lines += [f"Asked: {when_asked(key)}.", ""]
    lines += [one_line(entry["effect"]), ""]
    raw = options[key]
    if isinstance(raw, list):
        lines += ["| Choice | Label shown | What it changes |", "|---|---|---|"]
        for choice in raw:
            mark = " (default)" if choice == raw[0] else ""
            label = cell(prompt.get(choice, choice)) if isinstance(prompt, dict) else choice
            note = cell(entry["choices"][choice])
            lines.append(f"| `{choice}`{mark} | {label} | {note} |")
        lines.append("")
    elif isinstance(raw, str) and "{{" in raw:
        lines.append(
            f"Default: worked out from earlier answers (for the default study: `{default}`)."
        )
        lines.append("")
    else:
        shown = f"`{default}`" if default != "" else "empty"
        lines += [f"Default: {shown}.", ""]
    return lines


def render_page(options: dict, effects: dict) -> str:
    defaults = rendered_defaults(options)
    keys = asked(options)
    lines = [
        "<!-- Generated by tools/options_doc.py from cookiecutter.json (__prompts__) and",
        "     docs/options-effects.yaml. Do not edit by hand: edit those, then run"
        " `make docs`. -->",
        "",
        "# Options reference",
        "",
        "When you run `cookiecutter` on this template it asks the questions below, in this",
        "order. Press Enter to keep the default shown in brackets. The text in quotes is exactly",
        "what cookiecutter prints; the notes say what each answer changes in your study.",
        "",
        "By default it is a quick start: it asks only the questions marked *always* (and, for",
        "your own data, where it is and what to predict), gives every other answer its default",
        "and lists those in its closing message. `questions=all` after the template's address",
        "asks every question that applies:",
        "",
        "```bash",
        "uvx cookiecutter practice-study-template questions=all",
        "```",
        "",
        "To skip the questions, give the answers you want to change on the command line and",
        "keep the defaults for the rest:",
        "",
        "```bash",
        'uvx cookiecutter --no-input practice-study-template dataset=wine author_name="Ada"',
        "```",
        "",
        "| # | Option | Default | Asked |",
        "|---|---|---|---|",
    ]
    for number, key in enumerate(keys, 1):
        default = defaults.get(key, "")
        shown = f"`{default}`" if default != "" else "(empty)"
        lines.append(f"| {number} | [`{key}`](#{number}-{key}) | {shown} | {when_asked(key)} |")
    lines.append("")
    for number, key in enumerate(keys, 1):
        lines += option_section(number, key, options, effects, defaults.get(key, ""))
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the sources disagree or docs/options.md is stale",
    )
    args = parser.parse_args(argv)
    options, effects = load_sources()
    found = problems(options, effects)
    if found:
        print("The options' sources disagree:\n  " + "\n  ".join(found), file=sys.stderr)
        return 1
    page = render_page(options, effects)
    if args.check:
        if not PAGE.is_file() or PAGE.read_text(encoding="utf-8") != page:
            print("docs/options.md is stale: run `make docs`", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)} ({len(asked(options))} options)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
