"""Check every answer before cookiecutter writes a file; refuse with a clear message.

Cookiecutter renders this file with the answers, then runs it. Exit status 1 stops the
render and cookiecutter removes the folder it had just created.
"""

import json
import sys
from pathlib import Path

# The one thing cookiecutter fills in before running this script: the answers, and what
# local_extensions derives from them, as JSON. Jinja's tojson writes no line break and no
# three quotes in a row, so the raw string holds it unchanged; all else is plain Python.
RENDERED = json.loads(r"""{{ cookiecutter | hook_values | tojson }}""")
ANSWERS = RENDERED["answers"]
# The questions in cookiecutter.json's order, and local_extensions' verdict on each answer
# it checks the moment it is typed (the same rules, so a render that skips prompting, with
# --no-input or key=value answers, is refused alike): {question: [rule, example] or None}.
QUESTIONS = RENDERED["questions"]
TYPED_ANSWER_PROBLEMS = RENDERED["typed_answer_problems"]
# How the learner's CSV file is written (separator, decimal mark, encoding), as found by
# local_extensions.sniff_table; params.yaml's data.read gets the same values.
READ = RENDERED["read_settings"]


def problems(answers):
    # In the order of the questions (Jinja's tojson sorts the verdicts by name).
    for field in QUESTIONS:
        if TYPED_ANSWER_PROBLEMS.get(field):
            rule, example = TYPED_ANSWER_PROBLEMS[field]
            yield (field, rule, example)


def existing_folder_problems(answers):
    """cookiecutter runs this hook inside the study's folder, which it has just made empty,
    unless the folder was there already (`cookiecutter -f` or `-s`): rendering would then
    overwrite the learner's edited files and the post-generation hook would commit whatever
    else is there. Refuse; cookiecutter leaves a folder it did not create in place."""
    found = sorted(path.name for path in Path.cwd().iterdir())
    if found:
        shown = ", ".join(found[:4]) + (", ..." if len(found) > 4 else "")
        yield (
            "project_slug",
            f"the folder {answers['project_slug']!r} already exists here "
            f"and holds files ({shown}); rendering over it would overwrite your work. To "
            "bring template changes into a study, use `cruft update` (the study's docs/updates.md)",
            "another name, or another output folder (cookiecutter -o other/folder)",
        )


def save_for_replay(answers, refused):
    """Keep the answers before the first refused one where `cookiecutter --replay` reads
    (cookiecutter saved them all, the refused ones too); returns the command, or None."""
    first = min(QUESTIONS.index(field) for field in refused)
    kept = {key: answers[key] for key in QUESTIONS[:first] if key in answers}
    path = Path(RENDERED["replay_file"])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps({"cookiecutter": kept}, indent=2, ensure_ascii=False), encoding="utf-8"
        )
    except OSError:
        return None
    return f"cookiecutter --replay {answers['_template']}", QUESTIONS[first]


def main():
    # An answer with emoji must not crash the message on a console that cannot show it.
    sys.stderr.reconfigure(errors="backslashreplace")
    found = list(existing_folder_problems(ANSWERS)) + list(problems(ANSWERS))
    for field, rule, example in found:
        print(f"ERROR: {field}: {rule}. For example: {example}", file=sys.stderr)
    if found:
        replay = save_for_replay(ANSWERS, [field for field, _, _ in found])
        again = "Nothing was created. Run cookiecutter again with corrected answers"
        if replay:
            command, field = replay
            again += f", or `{command}`: it keeps your answers before {field} and asks the rest"
        print(again + ".", file=sys.stderr)
        sys.exit(1)
    if READ["why"]:
        print(f"NOTE: {READ['why']}.", file=sys.stderr)


if __name__ == "__main__":
    main()
