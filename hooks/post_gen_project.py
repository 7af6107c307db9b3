"""Finish a fresh study: keep the chosen licence, make the first git commit, say what next.

This hook must never fail the render: cookiecutter would delete the whole study. Anything
that cannot be done here is explained in the closing message instead.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

# The one thing cookiecutter fills in before running this script: the answers, and what
# local_extensions.py derives from them, as JSON. Jinja's tojson writes no line break and no
# three quotes in a row, so the raw string holds it unchanged; all else is plain Python.
RENDERED = json.loads(r"""{{ cookiecutter | hook_values | tojson }}""")
ANSWERS = RENDERED["answers"]
LICENSE = ANSWERS["license"]
SLUG = ANSWERS["project_slug"]
MODULE = ANSWERS["module_name"]
COMPUTE = ANSWERS["compute"]
ENV_MANAGER = ANSWERS["env_manager"]
GITHUB_REPO = ANSWERS["github_repo"]
# Where this study came from, for .cruft.json. A local template is given as a folder, and
# cookiecutter then uses that folder as it is (`_repo_dir` equals `_template`); a remote one
# is a clone whose origin is the address to follow.
TEMPLATE = ANSWERS["_template"]
TEMPLATE_FOLDER = RENDERED["template_folder"]
TEMPLATE_IS_LOCAL = ANSWERS.get("_repo_dir") == TEMPLATE
# cruft renders the template itself (`cruft create`, and twice in every `cruft update` to diff
# the old and new template) and writes .cruft.json on its own; only it sets `_commit`. A .git
# folder in those renders breaks cruft's diff, so there the hook leaves git alone.
RENDERED_BY_CRUFT = "_commit" in ANSWERS
# A learner's own data file, and where the study keeps its copy (local_file only).
DATASET = ANSWERS["dataset"]
DATASET_LOCATION = ANSWERS["dataset_location"]
RAW_DATA = "data/raw/" + RENDERED["raw_file_name"]
# uv.lock and its exports (written by `make lock`, 2.5 MB together) are copied without
# rendering (`_copy_without_render` in cookiecutter.json): Jinja spent longer on them than on
# the rest of the study (docs/benchmarks.md). Their few template variables are filled in here,
# with the values Jinja would have given them.
ENV_NAME = RENDERED["project_slug_yaml"]
# {% raw %}
FILLED_BY_HOOK = {
    "uv.lock": [("{{ cookiecutter.project_slug }}", SLUG)],
    "environment.yml": [
        ("{{ cookiecutter.project_slug | yaml }}", ENV_NAME),
        ("{{ cookiecutter.project_slug }}", SLUG),
    ],
}
# {% endraw %}


# run.py is the study's command layer on any OS: PowerShell names Python `py`.
RUN = "py run.py" if os.name == "nt" else "python3 run.py"


def fill_copied_files():
    for name, replacements in FILLED_BY_HOOK.items():
        path = Path(name)
        if not path.is_file():  # an unchosen env_manager's file, already removed
            continue
        text = path.read_text(encoding="utf-8")
        for placeholder, value in replacements:
            text = text.replace(placeholder, value)
        path.write_text(text, encoding="utf-8")


def keep_chosen_environment_files():
    """Keep the install files of the chosen env_manager; uv.lock, their source, stays.

    Every file here is exported from uv.lock by the template's `make lock` (tools/lock.py).
    requirements.txt stays in every study: Binder and Colab install it (binder/postBuild).
    The Colab notebook needs the study's GitHub address, so it goes without one.
    """
    only_for = {"requirements": {"pip", "conda"}, "environment.yml": {"conda"}}
    for name, managers in only_for.items():
        if ENV_MANAGER in managers:
            continue
        path = Path(name)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    if not GITHUB_REPO:
        Path("binder", "colab.ipynb").unlink(missing_ok=True)


def keep_chosen_compute_files():
    """The Dask backend of prepare (kit/table_dask.py), its tests and docs: Dask studies only."""
    if COMPUTE == "dask":
        return
    backend = Path("src", MODULE, "kit", "table_dask.py")
    for path in (backend, Path("tests", "test_prepare_dask.py"), Path("docs", "dask.md")):
        path.unlink(missing_ok=True)


def keep_chosen_license():
    licenses = Path("licenses")
    chosen = licenses / LICENSE
    if chosen.is_file():
        chosen.replace("LICENSE")
    shutil.rmtree(licenses, ignore_errors=True)


def git_output(*args):
    """What a git command prints, or '' when it fails."""
    done = git(*args)
    return done.stdout.strip() if done.returncode == 0 else ""


def link_template_for_cruft():
    """Fill in .cruft.json (template address and commit) so `cruft update` can follow it.

    Returns a line saying what is left to do, or None.
    """
    state_file = Path(".cruft.json")
    # One git process for both answers: each start costs as much as the question.
    top, _, commit = git_output(
        "-C", TEMPLATE_FOLDER, "rev-parse", "--show-toplevel", "HEAD"
    ).partition("\n")
    if TEMPLATE_IS_LOCAL:
        source = top
    else:
        source = git_output("-C", TEMPLATE_FOLDER, "remote", "get-url", "origin") or TEMPLATE
    if not (top and commit and source):
        # cruft refuses to link a study that already has a .cruft.json: leave none.
        state_file.unlink(missing_ok=True)
        return (
            "The template was not a git repository, so this study cannot follow its "
            "updates yet. Once it is, run `cruft link <template address>` here."
        )
    directory = os.path.relpath(TEMPLATE_FOLDER, top)
    state = json.loads(state_file.read_text(encoding="utf-8"))
    state.update(template=source, commit=commit, directory=None if directory == "." else directory)
    state["context"]["cookiecutter"].update(_template=source, _commit=commit)
    if DATASET == "local_file":
        # Only the file's name: its full path names the learner's home folder, and the copy in
        # data/raw/ is what later renders (cruft update) use.
        name = re.split(r"[\\/]", DATASET_LOCATION.rstrip("/\\"))[-1]
        state["context"]["cookiecutter"]["dataset_location"] = name
    state_file.write_text(json.dumps(state, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return None


def copy_local_data():
    """Copy the learner's own data file into data/raw/; the original is only read.

    `dvc add` tracks the copy on the first `run.py setup`, because DVC is installed in the
    study's environment, not in cookiecutter's. Returns a line saying what is left to do.
    """
    if DATASET != "local_file":
        return None
    source = Path(DATASET_LOCATION).expanduser()
    try:
        shutil.copyfile(source, RAW_DATA)
    except OSError as error:  # never fail the render: the learner can copy it by hand
        return f"Could not copy {source} to {RAW_DATA} ({error}): copy it there yourself."
    return (
        f"Your data was copied to {RAW_DATA}; `{RUN} study` tracks it with DVC (dvc add).\n"
        "It is on this computer only: before anyone else can rerun the study, it must be on\n"
        "a DVC remote they can reach (cloud storage, an SSH server, a shared drive; the\n"
        "default remote is a folder beside the study, a backup on this computer).\n"
        f"`{RUN} share` checks that, pushes the data and says what to commit (docs/data.md)."
    )


def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False)


def add_in_one_pack():
    """`git add --all`, with every file written into one pack file.

    A plain add writes each file as a loose object: a folder and a file of its own in
    .git/objects, 0.15-0.2 s for the study's ~100 files on a slow disk, more than the rest
    of this hook. Git streams a file straight into a pack (its bulk check-in) when the file
    is over core.bigFileThreshold and needs no line-ending conversion. The study's
    .gitattributes asks for LF, and every file the template writes is LF already (the
    template's own .gitattributes keeps them so, even in a Windows clone): `-text`, in
    .git/info/attributes (which wins over .gitattributes) for this one command, stores the
    same bytes. zlib's fastest level: 0.9 MB in .git for 10 ms (2.5 MB stored as is; the
    default level takes 40 ms more for 0.07 MB less).
    """
    only_now = Path(".git", "info", "attributes")
    if only_now.exists():  # someone's own: leave it, and add the plain way
        git("add", "--all")
        return
    only_now.parent.mkdir(exist_ok=True)
    only_now.write_text("* -text\n", encoding="utf-8")
    try:
        git("-c", "core.bigFileThreshold=1", "-c", "core.compression=1", "add", "--all")
    finally:
        only_now.unlink(missing_ok=True)


def first_commit():
    """git init and a first commit.

    Returns (a line saying what is left to do, the commands that do it), or (None, []).
    The commands run inside the study, after the closing message's `cd`.
    """
    if shutil.which("git") is None:
        return "git is not installed: install it, then `git init` and commit (DVC needs git).", []
    # A repository of its own, even when rendered inside another one.
    if (
        not Path(".git").exists()
        and git("init", "--quiet", "--initial-branch=main").returncode != 0
        and git("init", "--quiet").returncode != 0
    ):
        return "`git init` failed: run it yourself, then commit.", []
    add_in_one_pack()
    # A new repository has nothing to maintain: skip the `git maintenance` run commit starts.
    done = git(
        "-c",
        "maintenance.auto=false",
        "commit",
        "--quiet",
        "--no-verify",
        "-m",
        "Start the study from the practice-study template",
    )
    if done.returncode != 0:
        return (
            "The first commit was not made: git has no name and email yet. The commands "
            "below set them (type your own) and make it.",
            [
                'git config --global user.name "Your Name"',
                'git config --global user.email "you@example.com"',
                'git commit -m "Start the study"',
            ],
        )
    return None, []


def shown_path():
    """The study's folder as the learner should type it: relative to where they ran
    cookiecutter (the shell's PWD; hooks run inside the study), else absolute."""
    here = Path.cwd()
    start = os.environ.get("PWD") or ANSWERS.get("_output_dir", ".")
    try:
        relative = os.path.relpath(here, start)
    except ValueError:  # another drive, on Windows
        return str(here)
    return str(here) if relative.startswith("..") else f"./{Path(relative).as_posix()}"


# What the learner does next, inside the study, in order: the steps the closing message
# numbers (after `cd` into the study and any command the first commit still needs), each
# with its commands. The hypothesis comes first and is committed before the first study: the
# first run scores the test set, and a hypothesis committed after that counts as written
# after the results, for good (kit/provenance.py). Separate git lines work in every shell.
NEXT_STEPS = [
    (
        'By hand, in your editor: write your hypothesis under "My hypothesis" in QUESTION.md',
        [],
    ),
    (
        "Commit it, so git shows it came before the results",
        ["git add QUESTION.md", 'git commit -m "My hypothesis, before any results" -- QUESTION.md'],
    ),
    ("Set up, then run data -> model -> write-up", [f"{RUN} study"]),
    ("Run the study's own tests", [f"{RUN} test"]),
    ("Every command (where make is installed: make <command>)", [f"{RUN} help"]),
]
# The answers the quick start chose without asking: (question, answer, how to change it).
NOT_ASKED = RENDERED["not_asked"]


def closing_message(where, notes, commit_commands):
    """The message that ends the render. Its numbered steps are done in order; every line
    indented under a step is a command, and the commands run as printed, top to bottom, from
    the folder where cookiecutter was run. A step without commands is done by hand."""
    lines = [f"Your study is ready in {where}", ""]
    for note in notes:
        lines += [note, ""]
    if NOT_ASKED:
        lines.append(
            "Chosen for you, not asked (next time, give one as key=value after the "
            "template's address,\nor questions=all to be asked every question):"
        )
        for key, value, how in NOT_ASKED:
            lines.append(f"  - {key} = {value or '(empty)'}: {how}")
        lines.append("")
    steps = [("Go into the study", [f"cd {shlex.quote(where)}"])]
    if commit_commands:
        steps.append(
            ("Tell git who you are (type your own), and make the first commit", commit_commands)
        )
    steps += NEXT_STEPS
    lines.append("Next, step by step, from here:")
    for number, (what, commands) in enumerate(steps, 1):
        lines.append(f"  {number}. {what}{':' if commands else '.'}")
        lines += [f"       {command}" for command in commands]
    return "\n".join(lines)


def main():
    keep_chosen_license()
    keep_chosen_environment_files()
    keep_chosen_compute_files()
    fill_copied_files()
    # Steps that shape the study's files go above: cruft's renders need them too.
    if RENDERED_BY_CRUFT:
        return
    try:
        unlinked = link_template_for_cruft()
    except (OSError, ValueError) as error:  # never fail the render over cruft's record
        Path(".cruft.json").unlink(missing_ok=True)
        unlinked = f"Could not record the template in .cruft.json ({error}): see `cruft link`."
    copied = copy_local_data()
    try:
        todo, commit_commands = first_commit()
    except OSError as error:  # never fail the render over git
        todo, commit_commands = f"git could not run ({error}): run `git init` and commit.", []
    notes = [note for note in (todo, unlinked, copied) if note]
    print("\n" + closing_message(shown_path(), notes, commit_commands))


if __name__ == "__main__":
    main()
