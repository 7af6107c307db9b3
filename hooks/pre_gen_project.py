"""Check every answer before cookiecutter writes a file; refuse with a clear message.

Cookiecutter renders this file with the answers, then runs it. Exit status 1 stops the
render and cookiecutter removes the folder it had just created.
"""

import hashlib
import json
import keyword
import sys
import unicodedata
from pathlib import Path

# The one thing cookiecutter fills in before running this script: the answers, and what
# local_extensions.py derives from them, as JSON. Jinja's tojson writes no line break and no
# three quotes in a row, so the raw string holds it unchanged; all else is plain Python.
RENDERED = json.loads(r"""{{ cookiecutter | hook_values | tojson }}""")
ANSWERS = RENDERED["answers"]
# The names the derived default avoids too (local_extensions.py).
RESERVED = frozenset(RENDERED["reserved_module_names"])
# Control characters, line and paragraph separators: they break a line in some format.
UNPRINTABLE = {"Cc", "Cs", "Zl", "Zp"}
# The answers local_extensions.py checks the moment they are typed (the slug, the email, the
# data's location and checksum, the remote's address, the GitHub repository), with its
# verdicts on them: a render that skips prompting (--replay, --no-input) is refused alike.
TYPED_ANSWER_PROBLEMS = RENDERED["typed_answer_problems"]


def problems(answers):
    for field, problem in TYPED_ANSWER_PROBLEMS.items():
        if problem:
            rule, example = problem
            yield (field, rule, example)
    module = answers["module_name"]
    if not module.isidentifier() or not module.isascii():
        yield (
            "module_name",
            f"{module!r} is not a valid Python name: use letters, digits "
            "and underscores, not starting with a digit",
            "digits_study",
        )
    elif keyword.iskeyword(module):
        yield ("module_name", f"{module!r} is a Python keyword", "digits_study")
    elif module in RESERVED:
        yield (
            "module_name",
            f"{module!r} would hide the standard library or a dependency of the study",
            f"{module}_study",
        )
    elif module != module.lower():
        yield ("module_name", f"{module!r} should be lowercase (PEP 8)", module.lower())
    for field in ("project_name", "author_name", "question"):
        text = answers[field]
        if not text.strip():
            yield (field, "must not be empty", "Digits Practice Study")
        elif any(unicodedata.category(ch) in UNPRINTABLE for ch in text):
            yield (field, "must be one line, without control characters", "a single line")


# The dataset answers. Bundled sets ship with scikit-learn; the others are the learner's own.
# Each fact once, in local_extensions.py.
OWN_DATA = tuple(RENDERED["own_data"])
# The task of the chosen bundled dataset ("" for the learner's own data).
DATASET_TASK = RENDERED["bundled_task"]
CSV_SUFFIXES = tuple(RENDERED["csv_suffixes"])
SHA256_EXAMPLE = "the output of `sha256sum file.csv` (64 hex digits)"


# How the learner's CSV file is written (separator, decimal mark, encoding), as found by
# local_extensions.sniff_table; params.yaml's data.read gets the same values.
READ = RENDERED["read_settings"]


def sha256_of(path):
    """The file's SHA-256, read in blocks so a large file never fills the memory."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def local_file_problems(answers, path_text, target):
    # cruft re-renders a study to update it, maybe on another computer: the copy made at
    # the start is in the study by then, so only a first render needs the file (.cruft.json
    # keeps only its name).
    path = Path(path_text).expanduser()
    # A relative or missing path is a typed-answer problem, already reported.
    if "_commit" in answers or not path.is_absolute() or not path.is_file():
        return
    if path.stat().st_size == 0:
        yield ("dataset_location", f"{path_text!r} is an empty file", "a CSV with a header")
        return
    digest = answers["dataset_sha256"].strip().lower().removeprefix("sha256:")
    well_formed = not TYPED_ANSWER_PROBLEMS["dataset_sha256"]
    if digest and well_formed and sha256_of(path) != digest:
        yield (
            "dataset_sha256",
            f"the checksum does not match {path_text!r} (leave it empty "
            "for a local file, or give the file's own)",
            SHA256_EXAMPLE,
        )
    if path.name.lower().endswith(CSV_SUFFIXES):
        header = READ["header"]  # the first line, read with the separator found
        if header and target not in header:
            yield (
                "target_column",
                f"{target!r} is not a column of {path_text!r} (read with "
                f"separator {READ['sep']!r}, encoding {READ['encoding']!r}); its columns "
                f"are: {', '.join(header)}",
                header[-1],
            )


def dataset_problems(answers):
    """Dataset answers that do not fit together, each naming the field to correct.

    Where the data is and its checksum are typed-answer problems (above); these need more.
    """
    dataset, location = answers["dataset"], answers["dataset_location"]
    target, task = answers["target_column"], answers["task"]
    if not target.strip() or any(unicodedata.category(ch) in UNPRINTABLE for ch in target):
        yield ("target_column", "must name the column to predict, on one line", "species")
    if dataset not in OWN_DATA and task not in ("auto", DATASET_TASK):
        yield ("task", f"the bundled {dataset!r} dataset is a {DATASET_TASK} task", DATASET_TASK)
    if dataset == "local_file" and not TYPED_ANSWER_PROBLEMS["dataset_location"]:
        yield from local_file_problems(answers, location, target)


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


def main():
    # An answer with emoji must not crash the message on a console that cannot show it.
    sys.stderr.reconfigure(errors="backslashreplace")
    found = list(existing_folder_problems(ANSWERS))
    found += list(problems(ANSWERS)) + list(dataset_problems(ANSWERS))
    for field, rule, example in found:
        print(f"ERROR: {field}: {rule}. For example: {example}", file=sys.stderr)
    if found:
        print(
            "Nothing was created. Run cookiecutter again with corrected answers.", file=sys.stderr
        )
        sys.exit(1)
    if READ["why"]:
        print(f"NOTE: {READ['why']}.", file=sys.stderr)


if __name__ == "__main__":
    main()
