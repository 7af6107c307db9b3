"""Check every answer before cookiecutter writes a file; refuse with a clear message.

Cookiecutter renders this file with the answers, then runs it. Exit status 1 stops the
render and cookiecutter removes the folder it had just created.
"""

import csv
import gzip
import hashlib
import json
import keyword
import re
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

# The slug rule lives in local_extensions.py, which also applies it while prompting.
SLUG = re.compile(RENDERED["slug_pattern"])
# The rules below are also checked as each answer is typed (local_extensions.py).
EMAIL = re.compile(RENDERED["answer_patterns"]["email"])
# Control characters, line and paragraph separators: they break a line in some format.
UNPRINTABLE = {"Cc", "Cs", "Zl", "Zp"}
# A cloud remote's address lands unquoted in .dvc/config (an INI file) and in backticks in
# the README: no spaces, quotes, backticks, comment or list characters.
REMOTE_URL = re.compile(RENDERED["answer_patterns"]["remote_url"])
# The README's Binder, Colab and CI badges put it into URLs as it is.
GITHUB_REPO = re.compile(RENDERED["answer_patterns"]["github_repo"])
REMOTE_EXAMPLES = RENDERED["remote_examples"]


def problems(answers):
    slug = answers["project_slug"]
    if not SLUG.match(slug):
        yield (
            "project_slug",
            f"{slug!r} {RENDERED['slug_rule']}",
            "digits-practice-study",
        )
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
    if not EMAIL.match(answers["author_email"]):
        yield (
            "author_email",
            f"{answers['author_email']!r} is not an email address "
            "(plain letters, digits and . _ % + - before the @)",
            "ada@example.org",
        )
    remote, url = answers["dvc_remote"], answers["dvc_remote_url"]
    if remote in REMOTE_EXAMPLES:
        scheme = REMOTE_EXAMPLES[remote].split("//")[0] + "//"
        if not (url.startswith(scheme) and len(url) > len(scheme) and REMOTE_URL.match(url)):
            yield (
                "dvc_remote_url",
                f"a {remote} remote needs its address, starting with "
                f"{scheme} (no spaces, quotes, backticks, #, commas or semicolons)",
                REMOTE_EXAMPLES[remote],
            )
    repo = answers.get("github_repo", "")
    if repo and not (GITHUB_REPO.match(repo) and repo.split("/")[1] not in (".", "..")):
        yield (
            "github_repo",
            f"{repo!r} must be a GitHub repository as owner/name (letters, "
            "digits and hyphens, then letters, digits, '.', '_' or '-'), or empty",
            "ada-lovelace/digits-practice-study",
        )
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
TABLE_SUFFIXES = tuple(RENDERED["table_suffixes"])
DATA_URL = re.compile(RENDERED["answer_patterns"]["data_url"])
SHA256 = re.compile(RENDERED["answer_patterns"]["sha256"])
SHA256_EXAMPLE = "the output of `sha256sum file.csv` (64 hex digits)"


# How the learner's CSV file is written (separator, decimal mark, encoding), as found by
# local_extensions.sniff_table; params.yaml's data.read gets the same values.
READ = RENDERED["read_settings"]


def csv_header(path):
    """The column names on a CSV file's first line ([] when it cannot be read)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    encoding = "utf-8-sig" if READ["encoding"] == "utf-8" else READ["encoding"]
    try:
        with opener(path, "rt", encoding=encoding, newline="") as f:
            return next(csv.reader(f, delimiter=READ["sep"]), [])
    except (OSError, UnicodeError, LookupError, csv.Error):
        return []


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
    if "_commit" in answers:
        return
    path = Path(path_text).expanduser()
    if not path.is_absolute():
        yield (
            "dataset_location",
            f"{path_text!r} is a relative path; give the file's full "
            "path (hooks cannot tell which folder it is relative to)",
            "/home/you/Downloads/penguins.csv",
        )
        return
    if not path.is_file():
        yield (
            "dataset_location",
            f"{path_text!r} points nowhere: no such file",
            "/home/you/Downloads/penguins.csv",
        )
        return
    if path.stat().st_size == 0:
        yield ("dataset_location", f"{path_text!r} is an empty file", "a CSV with a header")
        return
    digest = answers["dataset_sha256"].strip().lower().removeprefix("sha256:")
    if digest and sha256_of(path) != digest:
        yield (
            "dataset_sha256",
            f"the checksum does not match {path_text!r} (leave it empty "
            "for a local file, or give the file's own)",
            SHA256_EXAMPLE,
        )
    if path.name.lower().endswith(CSV_SUFFIXES):
        header = csv_header(path)
        if header and target not in header:
            yield (
                "target_column",
                f"{target!r} is not a column of {path_text!r} (read with "
                f"separator {READ['sep']!r}, encoding {READ['encoding']!r}); its columns "
                f"are: {', '.join(header)}",
                header[-1],
            )


def dataset_problems(answers):
    """Dataset answers that do not fit together, each naming the field to correct."""
    dataset, location = answers["dataset"], answers["dataset_location"]
    target, task = answers["target_column"], answers["task"]
    if not target.strip() or any(unicodedata.category(ch) in UNPRINTABLE for ch in target):
        yield ("target_column", "must name the column to predict, on one line", "species")
    if dataset not in OWN_DATA:
        for field in ("dataset_location", "dataset_sha256"):
            if answers[field].strip():
                yield (field, RENDERED["own_data_only"], "(empty)")
        if task not in ("auto", DATASET_TASK):
            yield (
                "task",
                f"the bundled {dataset!r} dataset is a {DATASET_TASK} task",
                DATASET_TASK,
            )
        return
    if not location.strip():
        what = "URL" if dataset == "csv_url" else "full path"
        yield (
            "dataset_location",
            f"{dataset} needs the file's {what}",
            "https://example.org/penguins.csv"
            if dataset == "csv_url"
            else "/home/you/Downloads/penguins.csv",
        )
        return
    if dataset == "csv_url":
        if not DATA_URL.match(location):
            yield (
                "dataset_location",
                f"{location!r} is not an http(s) or ftp URL without spaces or quotes",
                "https://example.org/penguins.csv",
            )
        if not SHA256.match(answers["dataset_sha256"].strip()):
            yield (
                "dataset_sha256",
                "a URL needs the file's SHA-256 checksum, so the download can be verified",
                SHA256_EXAMPLE,
            )
        return
    if not location.lower().endswith(TABLE_SUFFIXES):
        yield (
            "dataset_location",
            f"{location!r} must be a CSV or Parquet file ({RENDERED['table_suffixes_text']})",
            "/home/you/Downloads/penguins.csv",
        )
        return
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
