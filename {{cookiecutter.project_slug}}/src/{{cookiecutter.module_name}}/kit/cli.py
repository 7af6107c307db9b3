"""Every command of the study, the same on Linux, macOS and Windows.

    python3 run.py <command>         (in PowerShell: py run.py <command>)
    .venv/bin/study <command>        (once .venv exists; or `uv run study <command>`)

`python3 run.py help` lists the commands (COMMANDS below). A command that needs the study's
environment first makes sure ``.venv`` is what the lock pins (kit/environment.py), then runs
itself again in it. Each command is a short function; a kit module with ``main(argv)`` becomes
a command with one line in COMMANDS (see ``kit``). make is an alias: `run.py study` runs
`python3 run.py study`.

Standard library only at import time: run.py loads this with whatever Python the learner has.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import signal
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import answers, doctor, environment
from .environment import VENV, WINDOWS, Interrupted, Stop, run, say, venv_env, venv_program
from .files import DVC_ADVICE, read_yaml
from .paths import ENVIRONMENT as ENVIRONMENT_RECORD
from .paths import FIGURES, LEDGER, METRICS, MODEL, RAW_DATA, ROOT, RUN, TEST, TRAIN, WRITEUP, shown

MODULE = environment.MODULE
SLUG = answers.PROJECT_SLUG
OWN_DATA = answers.DATASET == "local_file"
# Your own data file, copied into data/raw/ when the study was made: `dvc add` tracks it on
# the first setup (DVC lives in .venv), so git keeps the small .dvc file, DVC the data.
LOCAL_DATA = shown(RAW_DATA) if OWN_DATA else ""
# What `study` prints before the first stage runs.
PIPELINE = (
    "Pipeline (dvc.yaml; a stage runs only if its inputs changed):"
    + ("" if OWN_DATA else " get_data ->")
    + " prepare (check, split) -> train -> evaluate (scores, uncertainty) -> report"
)
# What makes a run need less memory, with this study's backend (`killed`).
LESS_MEMORY = (
    "a smaller prepare.train_rows in params.yaml fits the model on fewer rows."
    if answers.COMPUTE == "dask"
    else "a table larger than memory needs a study made with compute=dask."
)
# The pipeline's outputs that `clean` deletes (never data/raw, figures/, the DVC cache or remote).
OUTPUTS = [TRAIN, TEST, MODEL, METRICS, ENVIRONMENT_RECORD, WRITEUP]
# The study's Jupyter kernel, in your user's kernels, so JupyterLab and VS Code run the
# notebooks in .venv. Its name adds a number made from this folder's path: two studies of the
# same name keep a kernel each. `remove-kernel` removes it.
KERNEL_NAME = f"{SLUG}-{zlib.crc32(str(ROOT).encode())}"
KERNEL_DISPLAY = f"Python ({SLUG})"
# The git hooks' config. On Windows, programs live in .venv\Scripts with .exe: setup writes a
# copy of the config that names them so (`hooks_config`).
HOOKS_CONFIG = ROOT / ".pre-commit-config.yaml"
# The study's files as the last `study` left them (DVC's own folder for passing files).
LAST_RUN = ROOT / ".dvc" / "tmp" / "study-files"
WINDOWS_HOOKS_CONFIG = VENV / "pre-commit-config.yaml"


# --- Running things in .venv -------------------------------------------------------------


def in_venv(*command: str | Path, keep: Callable[[str], bool] | None = None) -> int:
    """Run a program of .venv (dvc, pre-commit ...) or .venv's python, in the study's folder."""
    program = command[0]
    if program == "python":
        program = environment.venv_python()
    elif isinstance(program, str):
        program = venv_program(program)
    return run([program, *command[1:]], env=venv_env(), keep=keep).returncode


def without_dvc_advice(line: str) -> bool:
    return not DVC_ADVICE.match(line)


def dvc(*args: str) -> int:
    return in_venv("dvc", *args, keep=without_dvc_advice)


def repro(*args: str) -> int:
    """dvc repro in this Python, the stages too: each library loads once (kit/repro.py)."""
    from . import repro as here

    return here.dvc_main(["repro", *args], keep=without_dvc_advice)


def kit_main(module: str, argv: list[str]) -> int:
    """A kit module's main(argv), in this process. A message it stops with (SystemExit with
    text) is shown as it is, without a traceback."""
    main = importlib.import_module(f"{__package__}.{module}").main
    try:
        return main(argv) or 0
    except SystemExit as stop:
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
            return 1
        return stop.code or 0


def kit(module: str, *first: str) -> Callable[[list[str]], int]:
    """The command that runs kit/<module>.py's main(argv): its words go to it as they are."""
    return lambda words: kit_main(module, [*first, *words])


def git_lines(*args: str) -> list[str]:
    """What a git command prints, line by line; none when git fails or is missing."""
    try:
        done = run(["git", *args], capture=True)
    except Stop:
        return []
    return done.stdout.splitlines() if done.returncode == 0 else []


# --- Setup: what the environment does not hold ----------------------------------------------


def user_kernels() -> Path:
    """Where Jupyter keeps your user's kernels (as jupyter_core finds its data folder)."""
    if os.environ.get("JUPYTER_DATA_DIR"):
        return Path(os.environ["JUPYTER_DATA_DIR"]) / "kernels"
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Jupyter" / "kernels"
    if WINDOWS:
        roaming = os.environ.get("APPDATA") or home / "AppData" / "Roaming"
        return Path(roaming) / "jupyter" / "kernels"
    data = os.environ.get("XDG_DATA_HOME") or home / ".local" / "share"
    return Path(data) / "jupyter" / "kernels"


def kernel_python(folder: Path) -> Path | None:
    try:
        spec = json.loads((folder / "kernel.json").read_text(encoding="utf-8"))
        return Path(spec["argv"][0])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


def same_file(a: Path | None, b: Path) -> bool:
    return a is not None and os.path.normcase(str(a)) == os.path.normcase(str(b))


def register_kernel() -> None:
    """The study's kernel, unless it is there. Kernels of this study under another name go:
    one whose Python is gone (the study moved), or one of this .venv named the old way."""
    kernels, python = user_kernels(), environment.venv_python()
    for old in sorted(kernels.glob(f"{SLUG}-*")):
        its_python = kernel_python(old)
        if old.name == KERNEL_NAME or its_python is None:
            continue
        if not old.name[len(SLUG) + 1 :].isdigit():  # another study's ({SLUG}-two-...)
            continue
        if not its_python.exists():
            environment.remove(old)
            say(f"Removed the Jupyter kernel {old.name}: its study folder is gone.")
        elif same_file(its_python, python):
            environment.remove(old)
            say(f"Renamed the Jupyter kernel {old.name} to {KERNEL_NAME}.")
    if same_file(kernel_python(kernels / KERNEL_NAME), python):
        return
    install = ["python", "-m", "ipykernel", "install", "--user", "--name", KERNEL_NAME]
    if in_venv(*install, "--display-name", KERNEL_DISPLAY) != 0:
        raise Stop("The study's Jupyter kernel could not be registered (above).")


def hooks_config() -> list[str]:
    """pre-commit's --config: the study's own file, or on Windows the copy that names each
    tool as Windows has it (.venv\\Scripts\\ruff.exe for .venv/bin/ruff)."""
    if not WINDOWS:
        return []
    text = for_windows(HOOKS_CONFIG.read_text(encoding="utf-8"))
    if not WINDOWS_HOOKS_CONFIG.is_file() or WINDOWS_HOOKS_CONFIG.read_text("utf-8") != text:
        WINDOWS_HOOKS_CONFIG.write_text(text, encoding="utf-8")
    return ["--config", shown(WINDOWS_HOOKS_CONFIG)]


def for_windows(config: str) -> str:
    return re.sub(r"(entry:\s*)\.venv/bin/([\w.-]+)", r"\1.venv/Scripts/\2.exe", config)


def install_git_hooks() -> None:
    """The git hooks of .pre-commit-config.yaml. A failure (say, a global core.hooksPath) only
    warns: `lint` runs the same checks anyway."""
    if not (ROOT / ".git").exists():
        say(f"Not a git repository yet: git init, then `{RUN} setup` installs the git hooks.")
        return
    config = hooks_config()
    hook = ROOT / ".git" / "hooks" / "pre-commit"
    if hook.is_file() and all(part in hook.read_text(errors="replace") for part in config[1:]):
        return
    if in_venv("pre-commit", "install", *config) != 0:
        say(f"WARNING: the git hooks are not installed (see above); `{RUN} lint` still runs them.")


def track_local_data() -> None:
    if not LOCAL_DATA or (ROOT / f"{LOCAL_DATA}.dvc").exists():
        return
    if dvc("add", LOCAL_DATA) != 0:
        raise Stop(f"DVC could not track {LOCAL_DATA} (above).")
    git_lines("add", f"{LOCAL_DATA}.dvc")
    say(f"DVC now tracks {LOCAL_DATA}; commit {LOCAL_DATA}.dvc with your next commit.")


def finish_setup() -> None:
    """What setup adds to .venv: the kernel, the git hooks, DVC's hold on your own data,
    and the folder of the default DVC remote. Each is done once; later runs only check."""
    register_kernel()
    install_git_hooks()
    track_local_data()
    storage = doctor.local_remote()
    if storage is not None and storage.parent.is_dir():
        storage.mkdir(exist_ok=True)


# --- The commands -----------------------------------------------------------------------------


def setup(words: list[str]) -> int:
    say(f"Set up: .venv as the lock pins it, the kernel {KERNEL_DISPLAY!r}, the git hooks.")
    return 0


def params_fingerprint() -> str:
    """params.yaml, study.py and the kit: what the params check reads."""
    package = ROOT / "src" / MODULE
    files = [ROOT / "params.yaml", package / "study.py", *sorted((package / "kit").glob("*.py"))]
    return "\n".join(f"{f.name} {zlib.crc32(f.read_bytes()) if f.is_file() else ''}" for f in files)


def check_params() -> None:
    """params.yaml against its rules (kit/params.py), then the model's name and settings and
    the metric against study.py (kit/check.py), before the first stage runs, so a wrong value
    is named at once. Skipped when none of the files it reads changed since it last passed.

    The second part loads scikit-learn (a second or two), and the train stage checks the same
    before it fits anything: when only the train section of params.yaml or study.py changed,
    train is the first stage to run, and the check is left to it.
    """
    checked = VENV / ".params-checked"
    try:
        last = json.loads(checked.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # not checked yet, or by an older version of this file
        last = {}
    files = params_fingerprint()
    if last.get("files") == files:
        return
    try:
        params = importlib.import_module(f"{__package__}.params").load_params()
    except SystemExit as problem:  # a ParamsProblem: its message names the key and the fix
        print(problem.code, file=sys.stderr)
        raise Stop("Nothing ran: fix params.yaml (above), then run this again.") from None
    rest = {key: value for key, value in params.items() if key != "train"}
    rest = json.loads(json.dumps(rest, default=str))  # as it will read back from the file
    kit = files.splitlines()[2:]  # the kit's files, after params.yaml and study.py
    if last.get("rest") == rest and last.get("kit") == kit:
        pass  # only the train section or study.py changed: train checks them first
    elif kit_main("check", []) != 0:
        raise Stop("Nothing ran: fix params.yaml (above), then run this again.")
    checked.write_text(json.dumps({"files": files, "rest": rest, "kit": kit}), encoding="utf-8")


def data_check() -> int:
    """Your own data file must be the one recorded before any stage runs (kit/integrity.py)."""
    return kit_main("integrity", ["check"])


def study_files() -> dict[str, list[int]]:
    """Each file of the study with its size and time of change, hidden folders (.git, .venv,
    .dvc) and bytecode left out: what `study` compares with the end of its last run."""
    found = {}
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and d != "__pycache__"]
        for name in files:
            info = os.stat(os.path.join(folder, name))
            found[os.path.join(folder, name)] = [info.st_size, info.st_mtime_ns]
    return found


def pipeline_outputs() -> tuple[str, ...]:
    """What a run writes: each stage's outputs (in dvc.lock), dvc.lock, the ledger of tries."""
    lock = read_yaml(ROOT / "dvc.lock")
    outs = [out["path"] for stage in lock["stages"].values() for out in stage.get("outs", [])]
    return tuple(str(ROOT / path) for path in [*outs, "dvc.lock", shown(LEDGER)])


def remember_run(started_ns: int) -> None:
    """The study's files as this run left them, unless one the pipeline does not write
    changed while it ran (you saved params.yaml meanwhile): then DVC is asked next time."""
    files, written = study_files(), pipeline_outputs()
    for path, (_, changed_ns) in files.items():
        ours = any(path == out or path.startswith(out + os.sep) for out in written)
        ours = ours or os.path.basename(path) == ".gitignore"  # DVC lists its outputs there
        if changed_ns >= started_ns and not ours:
            return
    LAST_RUN.write_text(json.dumps(files), encoding="utf-8")


def study(words: list[str]) -> int:
    check_params()
    say(PIPELINE)
    # No file changed since the last run ended: DVC would find every stage up to date, after
    # a second of loading itself, so it is not asked. Any change, even one undone, asks it.
    if LAST_RUN.is_file() and json.loads(LAST_RUN.read_text(encoding="utf-8")) == study_files():
        say("Nothing changed since the last run: every stage is up to date.")
    else:
        LAST_RUN.unlink(missing_ok=True)
        started_ns = time.time_ns()
        code = data_check() or repro()
        if code:
            return code
        remember_run(started_ns)
    # Last: every file that changed, QUESTION.md first, and the command that commits them.
    return kit_main("changes", [])


def report(words: list[str]) -> int:
    check_params()
    code = data_check() or repro("report")
    if code:
        return code
    say(f"The write-up is one self-contained file: {WRITEUP}")
    say("Share it as it is (email, chat), or push to GitHub: the Pages workflow publishes it.")
    return 0


def try_configuration(words: list[str]) -> int:
    """Trying things never touches the test rows: each try is scored by cross-validation on
    the training rows and logged in reports/ledger.csv (kept in git). params.yaml stays."""
    code = data_check() or repro("prepare")
    return code or kit_main("tries", ["try", *words])


def test(words: list[str]) -> int:
    return in_venv("python", "-m", "pytest", *words)


def lint(words: list[str]) -> int:
    return in_venv("pre-commit", "run", "--all-files", "--show-diff-on-failure", *hooks_config())


def check(words: list[str]) -> int:
    return lint([]) or test([])


def lab(words: list[str]) -> int:
    """.jupyter/ (on JUPYTER_CONFIG_PATH, beside your own settings) makes a double-click open
    a notebook's .py file as a notebook. jupytext gives each its .ipynb twin (which git
    ignores) with the study's kernel, so it opens in that kernel (docs/notebooks.md)."""
    environment.install_lab()
    notebooks = [shown(p) for p in sorted((ROOT / "notebooks").glob("*.py"))]
    if in_venv("jupytext", "--quiet", "--sync", "--set-kernel", KERNEL_NAME, *notebooks):
        raise Stop("jupytext could not pair the notebooks (above).")
    env = venv_env()
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [str(ROOT / ".jupyter"), *filter(None, [os.environ.get("JUPYTER_CONFIG_PATH")])]
    )
    # JupyterLab refuses to run as root unless told; only matters in containers.
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    opening = "--ServerApp.default_url=/lab/tree/notebooks"
    return run([venv_program("jupyter"), "lab", *as_root, opening, *words], env=env).returncode


def clean(words: list[str]) -> int:
    removed = []
    for path in [*OUTPUTS, *sorted(FIGURES.glob("*.png"))]:
        if path.exists():
            environment.remove(path)
            removed.append(shown(path))
    say(f"Deleted {len(removed)} output(s) of the pipeline; `{RUN} study` makes them again.")
    say("Kept: data/raw/, figures/, the DVC cache and remote, .venv and its Jupyter kernel")
    say(f"(`{RUN} remove-kernel` removes the kernel, before you delete the study's folder).")
    return 0


def diff(words: list[str]) -> int:
    return dvc("params", "diff", *words) or dvc("metrics", "diff", *words)


def update_command(action: str) -> Callable[[list[str]], int]:
    """Template updates (docs/updates.md): kit/update.py, with cruft as pinned in the lock,
    in a process of its own (it may hand over to the newest template's copy of itself)."""
    return lambda words: in_venv("python", "-m", f"{MODULE}.kit.update", action, *words)


def remove_kernel(words: list[str]) -> int:
    python = environment.venv_python()
    mine = [
        folder
        for folder in sorted(user_kernels().glob("*"))
        if folder.name == KERNEL_NAME or same_file(kernel_python(folder), python)
    ]
    for folder in mine:
        environment.remove(folder)
        say(f"Removed the Jupyter kernel {folder.name} ({folder}).")
    if not mine:
        say(f"No Jupyter kernel of this study is registered (in {user_kernels()}).")
    say(f"`{RUN} setup` registers it again.")
    return 0


def doctor_command(words: list[str]) -> int:
    return doctor.main()


def help_command(words: list[str]) -> int:
    print(usage())
    return 0


@dataclass(frozen=True)
class Command:
    run: Callable[[list[str]], int]  # gets the words typed after the command's name
    help: str
    venv: bool = True  # runs in .venv, which is built or repaired first
    setup: bool = True  # after the rest of setup: kernel, git hooks, your data in DVC
    words: str = ""  # what may follow the command (passed on as typed); "" for nothing
    own_help: bool = False  # its words go to a program with a --help of its own


# Every command, in the order `help` lists them. A new one is a line here: a function above,
# or `kit("module")` for a kit module's main(argv).
COMMANDS = {
    "setup": Command(
        setup, "Create .venv exactly as pinned in uv.lock, its Jupyter kernel, the git hooks"
    ),
    "study": Command(
        study, "Run the pipeline: data, model, metrics, figures, write-up (only what changed)"
    ),
    "report": Command(report, "Build the write-up and say how to share it"),
    "try": Command(
        try_configuration,
        "Cross-validate a configuration on training rows only",
        words="train.<key>=<value> ...",
    ),
    "compare": Command(
        kit("tries", "compare"),
        "Every try so far: its cross-validation mean and spread (reports/ledger.csv)",
    ),
    "review": Command(
        kit("review"),
        "The study reviews itself against REFORMS: passed, failed, needs a human",
        words="[--strict]",
        own_help=True,
    ),
    "test": Command(
        test,
        "Run the study's own tests: stage code, leakage guards, notebooks",
        words="[pytest options]",
        own_help=True,
    ),
    "lint": Command(
        lint, "Run the git hooks on every file: ruff, nbstripout, file checks, dvc status"
    ),
    "check": Command(check, "Every gate CI runs: the git hooks on every file, then the tests"),
    "lab": Command(
        lab,
        "Explore the notebooks in JupyterLab (installs it on first use)",
        words="[jupyter lab options]",
        own_help=True,
    ),
    "push": Command(
        kit("sharing", "push"),
        "Copy the data and model to the DVC remote (back up or share: docs/data.md)",
    ),
    "pull": Command(
        kit("sharing", "pull"),
        "Fetch the data and model from the DVC remote (e.g. in a fresh clone)",
    ),
    "share": Command(
        kit("sharing", "share"),
        "Can someone else rerun this study? Pushes the data, says what is missing",
    ),
    "reproduce": Command(
        kit("reproduce"),
        "A reviewer's check: rerun the last commit, compare every metric",
        words="[--in-place] [--tolerance T] [--ci]",
        own_help=True,
    ),
    "accept-data": Command(
        kit("integrity", "accept"),
        "Take a changed raw data file as the new version (records it with DVC)",
    ),
    "diff": Command(diff, "Show how params and metrics differ from the last commit"),
    "update-check": Command(
        update_command("check"),
        "Is the template this study came from newer? By how many commits?",
        setup=False,
        words="[--exit-code]",
        own_help=True,
    ),
    "update": Command(
        update_command("apply"),
        "Bring in template improvements: shows them, asks, lists what needs you",
        setup=False,
        words="[--yes]",
        own_help=True,
    ),
    "clean": Command(
        clean,
        "Delete the pipeline's outputs only; keeps data/raw, figures/, the DVC cache and remote",
        venv=False,
    ),
    "doctor": Command(
        doctor_command,
        "Check this computer: Python, git, disk space, uv, the DVC remote",
        venv=False,
    ),
    "remove-kernel": Command(
        remove_kernel, "Remove the study's Jupyter kernel from your user's kernels", venv=False
    ),
    "help": Command(help_command, "List the commands", venv=False),
}


def usage() -> str:
    width = max(map(len, COMMANDS)) + 2
    lines = [
        "Every command of this study: python3 run.py <command> on Linux and macOS,",
        "py run.py <command> in Windows' PowerShell (or make <command>, where make is installed).",
        "",
    ]
    lines += [f"  {name:<{width}}{command.help}" for name, command in COMMANDS.items()]
    lines += [
        "",
        f"--verbose (before the command: {RUN} --verbose setup) shows every package installed.",
        f"{RUN} <command> --help says what the command takes.",
    ]
    return "\n".join(lines)


# --- The entry point --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """python3 run.py <command> [words], or .venv/bin/study <command> [words]."""
    for stream in (sys.stdout, sys.stderr):  # each line as it comes, whatever the console
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(line_buffering=True, errors="replace")
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return dispatch(args)
    except Stop as problem:
        print(problem, file=sys.stderr)
        return 1
    except (Interrupted, KeyboardInterrupt):
        print("\nStopped (Ctrl-C). Run the command again to carry on.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output went to a program that stopped reading (| head)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (Python flushes it on exit)
        return 1


def killed(number: int) -> int:
    """.venv's Python ended by a signal (Linux, macOS): say why it most likely did, and end
    as a shell would (128 + the signal). DVC runs the stages in that Python (kit/repro.py),
    so a stage the system kills takes it along, before DVC can say which stage it was."""
    name = signal.Signals(number).name if number in signal.valid_signals() else f"signal {number}"
    if number == getattr(signal, "SIGKILL", None):
        said = (
            f"Stopped: the system killed the study's Python ({name}) while it ran. Most often "
            "that is the out-of-memory killer: the run needed more memory than this computer, "
            'or its container, allows. The last "Running stage" line above names the stage. '
            f"Close other programs, or: {LESS_MEMORY}"
        )
    else:
        said = f"Stopped: the study's Python was ended by {name} while it ran."
    print(said, file=sys.stderr)
    return 128 + number


def dispatch(args: list[str]) -> int:
    original = list(args)
    verbose = False
    while args and args[0] in ("-v", "--verbose"):
        verbose = True
        args.pop(0)
    if not args or args[0] in ("-h", "--help"):
        return help_command([])
    name, words = args[0], args[1:]
    command = COMMANDS.get(name)
    if command is None:
        import difflib

        near = difflib.get_close_matches(name, COMMANDS, n=1)
        hint = f" Did you mean `{RUN} {near[0]}`?" if near else ""
        raise Stop(f"There is no command {name!r}.{hint} `{RUN} help` lists them.")
    if not command.words:
        if "--verbose" in words:
            verbose = True
            words = [w for w in words if w != "--verbose"]
        if words in (["-h"], ["--help"]):
            print(f"{RUN} {name}: {command.help}")
            return 0
        if words:
            raise Stop(f"`{RUN} {name}` takes nothing after it (got {' '.join(words)!r}).")
    elif words in (["-h"], ["--help"]) and not command.own_help:
        print(f"{RUN} {name} {command.words}: {command.help}")
        return 0
    if command.venv:
        if not environment.venv_python().exists():
            doctor.preflight()
        rebuilt = environment.ensure(verbose)
        if rebuilt or not environment.running_inside():
            again = [environment.venv_python(), "-m", f"{MODULE}.kit.cli", *original]
            code = run(again, env=venv_env()).returncode
            return killed(-code) if code < 0 else code
        if command.setup:
            finish_setup()
    return command.run(words)


def leave(code: int) -> None:
    """End .venv's Python once a command is done, skipping only the teardown of each loaded
    module: with pandas, scikit-learn and DVC loaded (some 2,300 modules) it takes half a
    second after the last line, on every run. Exit handlers run and output is flushed, as in
    a normal exit; where this Python has no way to run them, it exits normally."""
    import atexit
    import contextlib

    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed, or its reader stopped (| head)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # run.py runs a command here, in .venv's Python
    leave(main())
