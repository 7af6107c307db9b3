"""Jinja filters that let free-text answers land safely in any file format.

Cookiecutter loads this module through ``_extensions`` in cookiecutter.json. Each filter
turns an answer into a literal of one format, so quotes, colons, ``#``, backslashes, YAML
words such as ``no`` and emoji all read back unchanged.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import csv
import functools
import gzip
import hashlib
import json
import keyword
import lzma
import os
import re
import sys
import unicodedata
import zipfile
from pathlib import Path

import cookiecutter
import jinja2
from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

# Names a study package must not shadow: what the study imports, besides the stdlib.
DEPENDENCY_MODULES = frozenset(
    [
        "dvc",
        "git",
        "jinja2",
        "joblib",
        "jupyter",
        "jupytext",
        "markdown_it",
        "matplotlib",
        "nbclient",
        "numpy",
        "pandas",
        "pytest",
        "scipy",
        "sklearn",
        "test",
        "tests",
        "yaml",
        "ipykernel",
        "pooch",
        "pandera",
        "pyarrow",
        "dask",
        "distributed",
    ]
)


def reserved_module_names() -> frozenset[str]:
    return DEPENDENCY_MODULES | frozenset(sys.stdlib_module_names)


def template_folder() -> str:
    """The template's absolute folder; meant for hook scripts only.

    Cookiecutter renders hook scripts from inside the template folder
    (``cookiecutter.hooks.run_hook_from_repo_dir``), whereas ``_repo_dir`` stays relative
    when the template was given as a relative path, and the hook itself runs elsewhere.
    """
    return os.getcwd()


# A study's folder name: the same rule as hooks/pre_gen_project.py, which renders it in.
# \Z, not $: $ also matches before a final newline.
SLUG_PATTERN = r"\A(?=.{1,64}\Z)[a-z0-9]+(?:-[a-z0-9]+)*\Z"
SLUG_RULE = (
    "must be lowercase letters and digits joined by single hyphens, at most 64 "
    "characters (no spaces, slashes, dots or leading hyphen)"
)


class RefusedAnswer(FailedHookException):
    """An answer refused while cookiecutter is still asking.

    A subclass of cookiecutter's hook failure because its command line prints exactly
    those as a plain message and exits 1, where any other error shows a traceback.
    """


# Rules for answers checked the moment they are typed (``checked`` below). The pre-gen hook
# gets the verdicts of the same check (``hook_values``), so both always agree.
ANSWER_PATTERNS = {
    # Plain ASCII addresses: the email lands in pyproject.toml, whose build tools check it.
    "email": r"\A[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\Z",
    # The README's Binder, Colab and CI badges put it into URLs as it is.
    "github_repo": r"\A[A-Za-z0-9](-?[A-Za-z0-9])*/[A-Za-z0-9._-]{1,100}\Z",
    # A cloud remote's address lands unquoted in .dvc/config and in backticks in the README.
    "remote_url": r"^[a-z0-9]+://[^\s\"'`#,;]+$",
    "data_url": r"\A(https?|ftp)://[^\s\"'`<>]+\Z",
    "sha256": r"\A(sha256:)?[0-9a-fA-F]{64}\Z",
}
# The dataset choices for the learner's own file (cookiecutter.json lists them too); every
# other choice is a set bundled with scikit-learn, a classification task unless named here.
OWN_DATA = ("csv_url", "local_file")
BUNDLED_TASK = {"diabetes": "regression"}
# The file types a learner's dataset may come as; pandas reads each by its suffix (the
# study's kit/reading.py lists the same). Delimited text, plain or compressed:
DELIMITED_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".zip": None}
CSV_SUFFIXES = DELIMITED_SUFFIXES + tuple(d + c for d in DELIMITED_SUFFIXES for c in COMPRESSED)
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
TABLE_SUFFIXES = (*CSV_SUFFIXES, *SPREADSHEET_SUFFIXES, ".parquet", ".pq")
# How to turn a file the study cannot read into one it can, by its suffix.
CONVERSIONS = {
    ".json": "with pandas: pandas.read_json(path).to_csv('table.csv', index=False)",
    ".sav": "with pandas: pandas.read_spss(path).to_csv('table.csv', index=False)",
    ".dta": "with pandas: pandas.read_stata(path).to_csv('table.csv', index=False)",
    ".sas7bdat": "with pandas: pandas.read_sas(path).to_csv('table.csv', index=False)",
    ".feather": "with pandas: pandas.read_feather(path).to_parquet('table.parquet')",
    ".rds": "in R: write.csv(readRDS('file.rds'), 'table.csv', row.names = FALSE)",
    ".rdata": "in R: load('file.RData'), then write.csv(the_table, 'table.csv', row.names = FALSE)",
    ".numbers": "in Numbers: File > Export To > CSV",
}
CONVERT_ANY = "in the program that made it, save or export it as CSV (File > Save As > CSV)"
OWN_DATA_ONLY = (
    f"is only for your own data ({' or '.join(OWN_DATA)}), but the dataset is the bundled "
    "{dataset!r}: leave it empty"
)
TABLE_SUFFIXES_TEXT = ", ".join(TABLE_SUFFIXES[:-1]) + " or " + TABLE_SUFFIXES[-1]
REMOTE_EXAMPLES = {
    "s3": "s3://my-bucket/studies/digits",
    "gcs": "gs://my-bucket/studies/digits",
    "azure": "azure://my-container/studies/digits",
    "ssh": "ssh://me@server.example.org/srv/dvc/digits",
}


def _matches(name: str, text: str) -> bool:
    return re.match(ANSWER_PATTERNS[name], text) is not None


# Control characters, line and paragraph separators: they break a line in some format.
UNPRINTABLE = {"Cc", "Cs", "Zl", "Zp"}
# The answers checked the moment they are typed (cookiecutter.json's ``checked`` filters),
# in cookiecutter.json's order. The pre-gen hook gets the same verdicts (``hook_values``),
# for renders that skip prompting (--no-input, extra_context), so both always agree.
TYPED_CHECKS = (
    "dataset_location",
    "dataset_sha256",
    "target_column",
    "question",
    "project_name",
    "project_slug",
    "module_name",
    "author_name",
    "author_email",
    "task",
    "dvc_remote_url",
    "github_repo",
)


def _rendered_by_cruft(answers: dict) -> bool:
    """cruft re-renders a study to update it, maybe where the learner's file never was: the
    study holds its copy by then, so checks of that file are skipped. Only cruft sets
    ``_commit``; while it asks nothing (its prompting pass), its import is the sign."""
    return "_commit" in answers or "cruft" in sys.modules


def _text_problem(text: str, example: str) -> tuple[str, str] | None:
    if not text.strip():
        return "must not be empty", example
    if any(unicodedata.category(ch) in UNPRINTABLE for ch in text):
        return "must be one line, without control characters", "a single line"
    return None


def _module_problem(module: str) -> tuple[str, str] | None:
    if not module.isidentifier() or not module.isascii():
        return (
            f"{module!r} is not a valid Python name: use letters, digits and underscores, "
            "not starting with a digit",
            "digits_study",
        )
    if keyword.iskeyword(module):
        return f"{module!r} is a Python keyword", "digits_study"
    if module in reserved_module_names():
        return (
            f"{module!r} would hide the standard library or a dependency of the study",
            f"{module}_study",
        )
    if module != module.lower():
        return f"{module!r} should be lowercase (PEP 8)", module.lower()
    return None


def _problem(field: str, answers: dict) -> tuple[str, str] | None:
    """(what is wrong, an example) for one just-typed answer, or None when it is fine.

    The answer is checked as typed: surrounding spaces would land in files and URLs too.
    """
    typed = str(answers[field])
    value = typed.strip()
    dataset = answers.get("dataset", "")
    if field == "project_slug" and not re.match(SLUG_PATTERN, typed):
        # Checked before cookiecutter makes the study's folder: it does so before the pre-gen
        # hook runs, so a slug such as ``../evil`` would create a folder outside the output
        # directory (and ``a/b`` would leave ``a/`` behind).
        return f"{typed!r} {SLUG_RULE}", "digits-practice-study"
    if field == "module_name":
        return _module_problem(typed)
    if field in ("question", "project_name", "author_name"):
        return _text_problem(typed, "Digits Practice Study")
    if field == "author_email" and not _matches("email", typed):
        return (
            f"{typed!r} is not an email address (plain letters, digits and . _ % + - before the @)",
            "ada@example.org",
        )
    if field == "task":
        task = bundled_task(dataset)
        if dataset not in OWN_DATA and typed not in ("auto", task):
            return f"the bundled {dataset!r} dataset is a {task} task", task
        return None
    if (
        field == "github_repo"
        and value
        and not (_matches("github_repo", typed) and typed.split("/")[1] not in (".", ".."))
    ):
        return (
            f"{typed!r} must be a GitHub repository as owner/name (letters, digits and "
            "hyphens, then letters, digits, '.', '_' or '-'), or empty",
            "ada-lovelace/digits-practice-study",
        )
    if field == "dvc_remote_url" and answers.get("dvc_remote") in REMOTE_EXAMPLES:
        example = REMOTE_EXAMPLES[answers["dvc_remote"]]
        scheme = example.split("//")[0] + "//"
        if not (
            typed.startswith(scheme) and len(typed) > len(scheme) and _matches("remote_url", typed)
        ):
            return (
                f"a {answers['dvc_remote']} remote needs its address, starting with "
                f"{scheme} (no spaces, quotes, backticks, #, commas or semicolons)",
                example,
            )
    if field == "target_column":
        if _text_problem(typed, "species"):
            return "must name the column to predict, on one line", "species"
        return _target_problem(answers)
    if field in ("dataset_location", "dataset_sha256") and dataset not in OWN_DATA:
        if value:
            return OWN_DATA_ONLY.format(dataset=dataset), "(empty)"
        return None
    if field == "dataset_location":
        return _location_problem(dataset, typed, answers)
    if field == "dataset_sha256":
        if (dataset == "csv_url" or value) and not _matches("sha256", value):
            return (
                "a URL needs the file's SHA-256 checksum (64 hex digits), so the download "
                "can be verified; a local file needs none",
                "the output of `sha256sum file.csv`",
            )
        return _checksum_problem(answers)
    return None


def _local_file(answers: dict) -> Path | None:
    """The learner's own local file, when it is there to be read (never under cruft)."""
    if answers.get("dataset") != "local_file" or _rendered_by_cruft(answers):
        return None
    location = str(answers.get("dataset_location", ""))
    if _location_problem("local_file", location, answers):
        return None
    return Path(location).expanduser()


def _checksum_problem(answers: dict) -> tuple[str, str] | None:
    path = _local_file(answers)
    digest = str(answers["dataset_sha256"]).strip().lower().removeprefix("sha256:")
    if path is None or not digest:
        return None
    found = hashlib.sha256()
    with path.open("rb") as f:  # in blocks, so a large file never fills the memory
        for block in iter(lambda: f.read(1 << 20), b""):
            found.update(block)
    if found.hexdigest() != digest:
        return (
            f"the checksum does not match {answers['dataset_location']!r} (leave it empty "
            "for a local file, or give the file's own)",
            "the output of `sha256sum file.csv` (64 hex digits)",
        )
    return None


def _target_problem(answers: dict) -> tuple[str, str] | None:
    path = _local_file(answers)
    if path is None or not path.name.lower().endswith(CSV_SUFFIXES):
        return None
    read = read_settings(answers)
    header = read["header"]  # the first line, read with the separator found (any compression)
    target = str(answers["target_column"])
    if header and target not in header:
        return (
            f"{target!r} is not a column of {answers['dataset_location']!r} (read with "
            f"separator {read['sep']!r}, encoding {read['encoding']!r}); its columns "
            f"are: {', '.join(header)}",
            header[-1],
        )
    return None


def _location_problem(dataset: str, location: str, answers: dict) -> tuple[str, str] | None:
    if not location.strip():
        what = "URL" if dataset == "csv_url" else "full path"
        return f"{dataset} needs the file's {what}", (
            "https://example.org/penguins.csv"
            if dataset == "csv_url"
            else "/home/you/Downloads/penguins.csv"
        )
    if dataset == "csv_url":
        if not _matches("data_url", location):
            return (
                f"{location!r} is not an http(s) or ftp URL without spaces or quotes",
                "https://example.org/penguins.csv",
            )
        return None
    example = "/home/you/Downloads/penguins.csv"
    path = os.path.expanduser(location)
    if not os.path.isabs(path):
        return (
            f"{location!r} is a relative path; give the file's full path (starting with / or ~)",
            example,
        )
    if not location.lower().endswith(TABLE_SUFFIXES):
        suffix = os.path.splitext(location.lower())[1]
        how = CONVERSIONS.get(suffix, CONVERT_ANY)
        return (
            f"{location!r} must be a table file: CSV or another delimited text (may be "
            f"compressed), a spreadsheet or Parquet ({TABLE_SUFFIXES_TEXT}). To convert it: "
            f"{how}",
            example,
        )
    if _rendered_by_cruft(answers):
        return None
    if not os.path.isfile(path):
        return (f"{location!r} points nowhere: no such file", example)
    if os.path.getsize(path) == 0:
        return (f"{location!r} is an empty file", "a CSV with a header")
    return None


# --- Replay: after a refusal, `cookiecutter --replay <template>` asks only the rest --------
#
# cookiecutter's replay mode reads ~/.cookiecutter_replay/<template folder name>.json and
# asks only the questions that file has no answer for. But it renders the defaults and
# checks of those questions with the new answers alone (an empty start), so every filter
# here reads the answers through ``_answers``, which adds the saved ones back.

TEMPLATE_FOLDER = os.path.dirname(os.path.abspath(__file__))
# The questions, in cookiecutter.json's order (keys without `_` are asked).
with open(os.path.join(TEMPLATE_FOLDER, "cookiecutter.json"), encoding="utf-8") as _file:
    QUESTIONS = tuple(key for key in json.load(_file) if not key.startswith("_"))
# This prompting pass's answers (cookiecutter's dict, as it fills up), and the saved ones
# when the pass is a replay's: ``start_prompting`` is cookiecutter.json's first entry.
_PASS: dict = {}


def start_prompting(answers: dict) -> str:
    """Remember the answers of the prompting pass cookiecutter has just begun."""
    _PASS.clear()
    _PASS["answers"] = answers
    return ""


def replay_file() -> Path:
    from cookiecutter.config import get_user_config

    name = os.path.basename(TEMPLATE_FOLDER)
    return Path(get_user_config()["replay_dir"], f"{name}.json")


def _saved_answers() -> dict:
    """The answers a replay pass starts from (public ones only; {} when there are none)."""
    try:
        saved = json.loads(replay_file().read_text(encoding="utf-8"))["cookiecutter"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {key: value for key, value in saved.items() if key in QUESTIONS}


def _is_replay(answers: dict) -> bool:
    """A replay pass asks only what its file lacks, so it starts without the dataset, which
    a normal pass has from its first question on."""
    return _PASS.get("answers") is answers and "dataset" not in answers


def _answers(answers: dict) -> dict:
    """The answers so far: in a replay pass, the saved ones too."""
    if not _is_replay(answers):
        return answers
    if "saved" not in _PASS:
        _PASS["saved"] = _saved_answers()
    return {**_PASS["saved"], **answers}


def template_address() -> str:
    """The template as a learner gives it again: a clone's address, else its folder."""
    from cookiecutter.config import get_user_config

    clones = os.path.abspath(get_user_config()["cookiecutters_dir"])
    if os.path.dirname(TEMPLATE_FOLDER) == clones:
        import subprocess

        done = subprocess.run(
            ["git", "-C", TEMPLATE_FOLDER, "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    return TEMPLATE_FOLDER


def saved_for_replay(answers: dict, keep_before: str) -> dict:
    """The answers given before ``keep_before``, as a replay file keeps them."""
    kept = {}
    for key in QUESTIONS:
        if key == keep_before:
            break
        if key in answers:
            kept[key] = answers[key]
    return {"cookiecutter": kept}


def _save_for_replay(answers: dict, keep_before: str) -> str:
    """Save the answers given before ``keep_before`` where ``cookiecutter --replay`` reads.

    Only answers: the private entries (the checks, ``__prompting``) are left out so that a
    replay renders them again. Returns the command to run.
    """
    path = replay_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = saved_for_replay(answers, keep_before)
    path.write_text(json.dumps(saved, indent=2, ensure_ascii=False), encoding="utf-8")
    return f"cookiecutter --replay {template_address()}"


def checked(answers: dict, field: str) -> str:
    """The answer to ``field``, or a refusal the moment it is typed.

    cookiecutter.json renders this filter into a private variable right after the prompt,
    so a mistake is heard at once, not after every question. The answers given before it
    are saved for ``cookiecutter --replay``, which then asks from the refused one on.
    A render that asks nothing (--no-input, cruft) leaves the verdicts to the pre-gen hook,
    which lists every problem at once; except the folder name, which cookiecutter uses
    before the hook runs (``../evil`` would make a folder outside the output folder).
    """
    everything = _answers(answers)
    problem = _problem(field, everything)
    if problem is None or (field != "project_slug" and not _PASS.get("interactive")):
        return str(everything[field])
    rule, example = problem
    command = _save_for_replay(everything, field)
    raise RefusedAnswer(
        f"ERROR: {field}: {rule}. For example: {example}\n"
        f"Nothing was created. Your answers so far are saved: `{command}` asks only the rest."
    )


# --- The questions asked: a quick start by default, every question with questions=all ----
#
# cookiecutter asks every key of cookiecutter.json that has no `_`; it has no way to leave a
# question out (its issues #913, #1021, #1914). Every answer stays a key of its own, so
# `key=value` on the command line, --no-input, --replay and cruft (which gives every saved
# answer back) keep working, and the study's files read them by name. What is left out is
# only the asking: cookiecutter's two prompt functions are wrapped (``SafeText``) so that a
# question ``is_asked`` leaves out takes its default, silently; the post-gen hook lists
# those answers in its closing message.

ASKED_QUICK = ("dataset", "question", "project_name", "author_name", "author_email")
# What each answer left out by the quick start sets, and how to change it later.
NOT_ASKED = {
    "project_slug": "the study's folder name; you may rename the folder",
    "module_name": "the Python package in src/; fixed once the study is made",
    "task": "auto decides from the target column; set it in params.yaml, data.task",
    "license": "the LICENSE file, and `license` in pyproject.toml and CITATION.cff",
    "env_manager": "pip and conda need files of their own: choose them when making a study",
    "dvc_remote": "where `run.py push` copies the data; docs/data.md shows how to change it",
    "dvc_remote_url": "the remote's address, in .dvc/config",
    "compute": "dask reads a table larger than memory in partitions (a backend of the same "
    "prepare stage): choose it when making a study",
    "github_repo": "the README's badges and Binder and Colab links need it: give it when "
    "making a study",
}


def is_asked(key: str, answers: dict) -> bool:
    """Whether the question ``key`` is asked, given the answers so far."""
    dataset = answers.get("dataset", "digits")
    own = dataset in OWN_DATA
    everything = answers.get("questions") == "all"
    if key == "questions":
        return False  # a choice of how to ask, given on the command line
    if key in ASKED_QUICK:
        return True
    if key in ("dataset_location", "target_column"):
        return own
    if key == "dataset_sha256":
        return dataset == "csv_url" or (own and everything)
    if key == "task":
        return own and everything
    if key == "dvc_remote_url":
        return everything and answers.get("dvc_remote") in REMOTE_EXAMPLES
    return everything


def not_asked(answers: dict) -> list[tuple[str, str, str]]:
    """(question, answer, how to change it) for each answer the quick start chose."""
    return [
        (key, str(answers[key]), note)
        for key, note in NOT_ASKED.items()
        if key in answers
        and not is_asked(key, answers)
        and (key != "task" or answers.get("dataset") in OWN_DATA)
        and (key != "dvc_remote_url" or answers[key])
    ]


def _will_ask(key: str, answers: dict, saved: dict) -> bool:
    if key in saved:
        return False
    # After a refusal, the refused answer (the first one not saved) is asked again.
    refused = next((k for k in QUESTIONS if k not in saved), None) if saved else None
    return key == refused or is_asked(key, answers)


COUNTER = re.compile(r"\[\d+/\d+\]")
QUICK_START_NOTE = (
    "A quick start: only the questions a study needs ({bundled}, or up to {own} with your own "
    "data); the other answers get their defaults, listed at the end. To be asked every "
    "question: cookiecutter {template} questions=all"
)


def quick_start_note() -> str:
    def count(dataset: str) -> int:
        return sum(is_asked(key, {"dataset": dataset}) for key in QUESTIONS)

    return QUICK_START_NOTE.format(
        bundled=count("digits"),
        own=max(count(dataset) for dataset in OWN_DATA),
        template=template_address(),
    )


def _asking(read, default_of):
    """cookiecutter's prompt function ``read``, asking only what ``is_asked`` keeps."""

    @functools.wraps(read)
    def ask(var_name, options_or_default, prompts=None, prefix=""):
        answers = _PASS.get("answers")
        if answers is None or var_name not in QUESTIONS:
            return read(var_name, options_or_default, prompts, prefix)
        _PASS["interactive"] = True  # cookiecutter asks (not --no-input)
        first = var_name == "dataset"  # a normal pass's first question: nothing saved
        saved = {} if first else (_answers(answers) if _is_replay(answers) else {})
        saved = {k: v for k, v in saved.items() if k not in answers}
        everything = {**saved, **answers}
        if not _will_ask(var_name, everything, saved):
            return default_of(options_or_default)
        done = sum(_will_ask(k, everything, saved) for k in answers if k in QUESTIONS)
        left = sum(_will_ask(k, everything, saved) for k in QUESTIONS if k not in everything)
        if first and everything.get("questions") != "all":
            print(quick_start_note(), flush=True)
        prefix = COUNTER.sub(f"[{done + 1}/{done + left}]", prefix, count=1)
        return read(var_name, options_or_default, prompts, prefix)

    return ask


def ask_only_what_is_needed() -> None:
    """Wrap cookiecutter's prompt functions (once per environment: the newest template
    version imported in this process wraps them, around cookiecutter's own)."""
    import cookiecutter.prompt as prompt

    for name, default_of in (
        ("read_user_variable", lambda default: default),
        ("read_user_choice", lambda options: options[0]),
    ):
        current = getattr(prompt, name, None)
        if current is not None:
            original = getattr(current, "__wrapped__", current)
            setattr(prompt, name, _asking(original, default_of))


# A question to start from for each bundled dataset, and a placeholder for the learner's own
# data that the study points out until it is replaced (the Makefile looks for PLACEHOLDER).
QUESTION_PLACEHOLDER = "TODO: my question about this data, in one sentence"
DEFAULT_QUESTIONS = {
    "digits": "Can a simple model recognise hand-written digits from 8x8 pixel images much "
    "better than guessing?",
    "iris": "Can a simple model tell the three iris species apart from four flower "
    "measurements much better than guessing?",
    "wine": "Can a simple model tell the three wine cultivars apart from their chemical "
    "analysis much better than guessing?",
    "breast_cancer": "Can a simple model tell malignant from benign tumours from cell "
    "measurements much better than guessing?",
    "diabetes": "Can a simple model predict diabetes progression a year ahead from ten "
    "baseline measurements better than the average does?",
}


def default_question(answers: dict) -> str:
    """The question's default: one that suits the chosen dataset, or the placeholder."""
    answers = _answers(answers)
    return DEFAULT_QUESTIONS.get(answers.get("dataset", ""), QUESTION_PLACEHOLDER)


def default_target(answers: dict) -> str:
    """The target column's default: 'target' for a bundled set; for a local CSV, its last
    column (where most tables keep the value to predict)."""
    answers = _answers(answers)
    location = os.path.expanduser(str(answers.get("dataset_location", "")))
    if (
        answers.get("dataset") != "local_file"
        or not location.lower().endswith(CSV_SUFFIXES)
        or not os.path.isfile(location)
    ):
        return "target"
    header = read_settings(answers).get("header") or []
    return header[-1].strip() if header and header[-1].strip() else "target"


def default_title(answers: dict) -> str:
    """The title's default, from the dataset: 'Iris Practice Study', 'Penguins Practice ...'."""
    answers = _answers(answers)
    dataset = answers.get("dataset", "")
    if dataset in DEFAULT_QUESTIONS:
        name = dataset.replace("_", " ")
    else:
        stem = re.split(r"[\\/]", str(answers.get("dataset_location", "")).rstrip("/\\"))[-1]
        stem = stem.split("?")[0]
        # The longest suffix first: .csv.gz, not just .gz.
        for suffix in sorted(TABLE_SUFFIXES, key=len, reverse=True):
            if stem.lower().endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        name = re.sub(r"[^A-Za-z0-9]+", " ", stem).strip() or "my"
    return f"{name.title()} Practice Study"


def default_slug(answers: dict) -> str:
    """The folder name's default, from the title (slugify is cookiecutter's own)."""
    from slugify import slugify

    title = str(_answers(answers).get("project_name", ""))
    return slugify(title, max_length=50, word_boundary=True) or "practice-study"


def default_module(answers: dict) -> str:
    return module_name(str(_answers(answers).get("project_slug", "")))


def module_name(slug: str) -> str:
    """A valid, importable package name derived from a slug (never an error)."""
    name = re.sub(r"[^0-9a-zA-Z_]+", "_", slug).strip("_").lower() or "study"
    if name[0].isdigit():
        name = f"study_{name}"
    if keyword.iskeyword(name) or name in reserved_module_names():
        name = f"{name}_study"
    return name


def _escape_chars(text: str, allowed: callable) -> str:
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif allowed(ch):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def toml_string(value: object) -> str:
    """A TOML basic string; control characters are escaped, everything else kept."""
    return _escape_chars(str(value), lambda ch: ch >= " " and ch != "\x7f")


def yaml_string(value: object) -> str:
    """A YAML double-quoted scalar, so words like ``no`` or ``null`` stay strings."""

    def printable(ch: str) -> bool:
        code = ord(ch)
        # PyYAML reads U+2028 and U+2029 as line breaks, so they are escaped too.
        return (
            0x20 <= code <= 0x7E
            or 0xA0 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD
            or code >= 0x10000
        ) and code not in (0xFEFF, 0x2028, 0x2029)

    return _escape_chars(str(value), printable)


# Characters that start Markdown syntax anywhere in a line: CommonMark's, plus GitHub's
# tables (|), strikethrough (~) and math ($). CommonMark lets a backslash make any ASCII
# punctuation literal, so escaping these keeps the text as typed and never makes HTML.
# `&` starts markup only as an entity (`&amp;`, `&#38;`), so only then is it escaped: the
# raw file then reads "petal & sepal", as typed.
MARKDOWN_SPECIAL = frozenset("\\`*_[]<>#|~$")
MARKDOWN_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# At the start of a line, these begin a list, a heading underline or a numbered list.
MARKDOWN_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")


def markdown_text(value: object) -> str:
    """Plain text for one line of Markdown: shows exactly as typed, never as markup.

    Surrounding whitespace is dropped: Markdown drops it anyway.
    """
    text = "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in str(value).strip())
    text = MARKDOWN_ENTITY.sub(r"\\&", text)
    return MARKDOWN_LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)


def raw_file_name(answers: dict) -> str:
    """The raw table's file name in the study's ``data/raw/``, from the dataset answers.

    A bundled set is ``<name>.csv``; a learner's file keeps its own name, reduced to
    characters that are safe in a path, YAML and a Makefile. A URL without a table suffix
    is taken as CSV (the option is ``csv_url``).
    """
    dataset, location = answers["dataset"], str(answers.get("dataset_location", ""))
    if dataset not in OWN_DATA:
        return f"{dataset}.csv"
    if dataset == "csv_url":
        location = location.split("?", 1)[0].split("#", 1)[0]
    base = re.split(r"[\\/]", location.rstrip("/\\"))[-1]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._-") or "data"
    return name if name.lower().endswith(TABLE_SUFFIXES) else f"{name}.csv"


# How a CSV file is read when nothing else is known (pandas' own defaults).
CSV_DEFAULTS = {"sep": ",", "decimal": ".", "encoding": "utf-8"}
SEPARATORS = ",;\t|"
# A number written with a decimal comma: 3,5 or -0,25 (and not 1,000 in a comma-separated file).
DECIMAL_COMMA = re.compile(r"\A-?\d+,\d+\Z")


def decode_sample(data: bytes) -> tuple[str, str, bool]:
    """The sample as text, its encoding, and whether the encoding is certain.

    UTF-8 is tried first (it fails loudly on other encodings). Next Latin-1, the usual
    encoding of older Western European exports: certain when every non-ASCII byte is one
    of its letters or signs (0xA0-0xFF), and Windows-1252 when it also has that code page's
    quotes and dashes (0x80-0x9F). Anything else goes to charset-normalizer (which
    cookiecutter brings through requests); its guesses on short samples are often wrong,
    so they are marked uncertain.
    """
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=False), "utf-8", True
    except UnicodeDecodeError:
        pass
    high = {b for b in data if b >= 0x80}
    if high <= set(range(0xA0, 0x100)):
        return data.decode("latin-1"), "latin-1", True
    try:
        return data.decode("cp1252"), "cp1252", True
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return data.decode("latin-1"), "latin-1", False
    return str(best), codecs.lookup(best.encoding).name, False


def first_bytes(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a text table, uncompressed (a zip file's first member)."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive, archive.open(archive.namelist()[0]) as f:
            return f.read(size)
    with COMPRESSED.get(suffix, open)(path, "rb") as f:
        return f.read(size)


def sniff_table(path: Path, size: int = 1 << 16) -> dict:
    """The separator, decimal mark, encoding and header of a CSV file, read from its first
    bytes (uncompressed first, when it is compressed).

    ``sure`` is False, with ``why``, when the guess should be checked by the learner.
    """
    data = first_bytes(path, size)
    text, encoding, encoding_sure = decode_sample(data)
    lines = text.splitlines()
    if len(data) == size and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut off
    sample = "\n".join(lines[:200])
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
        sure = encoding_sure
    except csv.Error:
        header = lines[0] if lines else ""
        sep = max(SEPARATORS, key=header.count) if any(c in header for c in SEPARATORS) else ","
        sure = False
    decimal = "."
    if sep != ",":
        cells = [c.strip().strip('"') for line in lines[1:50] for c in line.split(sep)]
        if any(DECIMAL_COMMA.match(c) for c in cells):
            decimal = ","
    why = (
        ""
        if sure
        else (
            f"could not be sure how {path.name} is written; guessed separator {sep!r}, decimal "
            f"mark {decimal!r}, encoding {encoding!r}. If the data summary looks wrong, set "
            "data.read (sep, decimal, encoding) in params.yaml"
        )
    )
    header = next(csv.reader([lines[0]], delimiter=sep), []) if lines else []
    return {
        "sep": sep,
        "decimal": decimal,
        "encoding": encoding,
        "sure": sure,
        "why": why,
        "header": header,
    }


def read_settings(answers: dict) -> dict:
    """data.read for params.yaml: found in the learner's CSV file, else pandas' defaults."""
    location = Path(str(answers.get("dataset_location", ""))).expanduser()
    is_csv = location.name.lower().endswith(CSV_SUFFIXES)
    if answers.get("dataset") == "local_file" and is_csv and location.is_file():
        try:
            return sniff_table(location)
        except (OSError, zipfile.BadZipFile, lzma.LZMAError, EOFError, IndexError):
            pass
    return {**CSV_DEFAULTS, "sure": True, "why": "", "header": []}


def person_names(name: object) -> dict:
    """A person's names as CITATION.cff wants them: the last word is taken as the family
    name (the file says to check it); a single word is a given name."""
    given, _, family = str(name).strip().rpartition(" ")
    if not given:
        return {"given-names": family}
    return {"given-names": given.strip(), "family-names": family}


def json_string(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def python_string(value: object) -> str:
    """A Python literal, in double quotes when it can be (ruff format's style)."""
    literal = repr(str(value))
    if literal.startswith("'") and '"' not in literal:
        literal = f'"{literal[1:-1]}"'
    return literal


def bundled_task(dataset: str) -> str:
    """The task of a bundled dataset; the learner's own data gives "" (decided from it)."""
    if dataset in OWN_DATA:
        return ""
    return BUNDLED_TASK.get(dataset, "classification")


def hook_values(answers: dict) -> dict:
    """What the hook scripts need, rendered into each as one JSON string (hooks/*.py).

    The hooks are plain Python apart from that one string, so ruff checks the code that runs.
    """
    return {
        "answers": dict(answers),
        "template_folder": template_folder(),
        "typed_answer_problems": {field: _problem(field, answers) for field in TYPED_CHECKS},
        # Where `cookiecutter --replay` reads, so a refusal keeps the answers before it.
        "replay_file": str(replay_file()),
        "questions": QUESTIONS,
        "not_asked": not_asked(answers),
        "read_settings": read_settings(answers),
        "raw_file_name": raw_file_name(answers),
        "project_slug_yaml": yaml_string(answers["project_slug"]),
    }


class TemplateBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's compiled templates, kept between renders in a folder of the user's temp dir.

    Parsing and compiling the study's ~50 file templates took ~0.08 s of a 0.65 s render.
    A bucket is read back only when its template's text is unchanged (Jinja checks a
    checksum). Keyed by the path inside the template and by what the compiled code depends
    on (the Jinja version and the environment's syntax settings), not by where the template
    sits, so cruft's and the tests' copies of one template share their entries. A first
    render on a machine compiles as before.
    """

    def __init__(self) -> None:
        super().__init__(pattern="practice-study-%s.cache")

    def get_bucket(self, environment, name, filename, source):
        # Extensions are named with their module (this one's name holds a hash of its
        # content): Jinja's optimizer may run a filter at compile time on constant input.
        compiled_by = [
            jinja2.__version__,
            cookiecutter.__version__,
            *(getattr(environment, setting) for setting in SYNTAX_SETTINGS),
            sorted(environment.extensions),
        ]
        return super().get_bucket(environment, f"{name}|{compiled_by!r}", None, source)

    # A cache that cannot be read or written (a full disk, a folder gone) never stops a
    # render: the template is compiled as it would be without one.
    def load_bytecode(self, bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


# The settings of a Jinja environment that change the code a template compiles to.
SYNTAX_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
    "autoescape",
)


class SafeText(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters.update(
            module_name=module_name,
            toml=toml_string,
            yaml=yaml_string,
            json_str=json_string,
            py=python_string,
            raw_file_name=raw_file_name,
            read_settings=read_settings,
            md=markdown_text,
            checked=checked,
            start_prompting=start_prompting,
            default_slug=default_slug,
            default_module=default_module,
            default_question=default_question,
            default_title=default_title,
            default_target=default_target,
            hook_values=hook_values,
            bundled_task=bundled_task,
            person_names=person_names,
        )
        # For the study's templates: `cookiecutter.dataset in OWN_DATA`.
        environment.globals["OWN_DATA"] = OWN_DATA
        ask_only_what_is_needed()
        if environment.bytecode_cache is None:
            # No private temp folder to be had (RuntimeError) or made (OSError): compile
            # every template, as without a cache.
            with contextlib.suppress(RuntimeError, OSError):
                environment.bytecode_cache = TemplateBytecodeCache()
