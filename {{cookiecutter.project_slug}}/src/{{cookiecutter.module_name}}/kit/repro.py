"""``dvc repro`` inside this Python, with the study's own stages run here too.

``run.py study``, ``report`` and ``try`` run DVC in their own Python rather than as a program
of its own, and DVC runs each stage whose command is ``python -m <this package>.<stage>`` in
that same Python: DVC, pandas and scikit-learn load once per run instead of once per stage
(a second or two each, which is most of a small study's rerun). Nothing else changes: DVC
decides which stages run and records them in dvc.lock, and the stage is the same code, so
``dvc repro`` typed in a terminal (each stage in a Python of its own) gives the same results.
A command of another shape in dvc.yaml runs as DVC always runs it.

DVC has no setting for this: the one function of DVC that starts a stage's command is
replaced while DVC runs, and only when it has the form this module was written for
(DVC is pinned in uv.lock; with any other form, DVC runs every stage itself).
"""

from __future__ import annotations

import inspect
import io
import logging
import os
import runpy
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from .environment import MODULE, Interrupted
from .paths import ROOT

STAGE_COMMAND = f"python -m {MODULE}."
PACKAGE = ROOT / "src" / MODULE
DVC_INTERRUPTED = 252  # what DVC's main returns after Ctrl-C
DVC_LOGGERS = ("dvc", "dvc_objects", "dvc_data")  # `import dvc` gives each its handlers


def own_stage(command: str) -> str | None:
    """The module a stage command runs, if it is one of this package's: ``python -m
    <package>.train`` gives ``<package>.train``; anything else (arguments too) gives None."""
    if not command.startswith(STAGE_COMMAND):
        return None
    name = command[len(STAGE_COMMAND) :]
    if not name or not all(part.isidentifier() for part in name.split(".")):
        return None
    return f"{MODULE}.{name}"


def run_stage_here(module: str, command: str, cwd: str, env: dict[str, str]) -> None:
    """Run a stage's module as ``python -m`` would, in this Python, with DVC's folder and
    environment (DVC_ROOT, DVC_STAGE); a failure becomes DVC's own "failed to run" error."""
    from dvc.stage.exceptions import StageCmdFailedError

    saved_env, saved_argv, saved_cwd = os.environ.copy(), list(sys.argv), os.getcwd()
    os.environ.update(env)
    os.chdir(cwd)
    sys.argv[:] = [command]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as stop:  # sys.exit("stage: what is wrong and the fix")
        code = stop.code
        if isinstance(code, str):
            print(code, file=sys.stderr)
            code = 1
        if code:
            raise StageCmdFailedError(command, code) from None
    except Exception as error:  # the traceback a stage run by Python itself would show
        traceback.print_exception(type(error), error, stage_frames(error.__traceback__))
        raise StageCmdFailedError(command, 1) from None
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.chdir(saved_cwd)
        sys.argv[:] = saved_argv
        os.environ.clear()
        os.environ.update(saved_env)


def stage_frames(frames):
    """A traceback from the stage's own frame on: this module, runpy and DVC left out."""
    first = frames
    while first is not None and not is_stage_code(first.tb_frame.f_code.co_filename):
        first = first.tb_next
    return first or frames


def is_stage_code(filename: str) -> bool:
    path = Path(filename)
    return path.is_relative_to(PACKAGE) and path != Path(__file__)


class ShownLines(io.TextIOBase):
    """sys.stdout less the lines ``keep`` refuses (DVC's advice for its own command line)."""

    def __init__(self, out, keep: Callable[[str], bool]):
        self.out, self.keep, self.partial, self.lock = out, keep, "", threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:  # a stage's progress lines come from a thread of their own
            lines = (self.partial + text).split("\n")
            self.partial = lines.pop()
            for line in lines:
                if self.keep(line):
                    self.out.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        self.out.flush()

    def finish(self) -> None:
        if self.partial and self.keep(self.partial):
            self.out.write(self.partial)
        self.partial = ""
        self.out.flush()

    def isatty(self) -> bool:
        return self.out.isatty()

    @property
    def encoding(self) -> str:
        return self.out.encoding


def dvc_main(argv: list[str], keep: Callable[[str], bool]) -> int:
    """DVC's command line (``argv`` as after ``dvc``) in this Python, this package's stages
    run here; only the output lines ``keep`` accepts are shown. Ctrl-C: Interrupted."""
    from dvc.cli import main
    from dvc.stage import run as dvc_stage_run

    dvc_run = getattr(dvc_stage_run, "_run", None)
    known = dvc_run is not None and list(inspect.signature(dvc_run).parameters) == [
        "executable",
        "cmd",
        "kwargs",
    ]

    def run(executable, cmd, **kwargs):
        module, cwd = own_stage(cmd), kwargs.get("cwd") or os.getcwd()
        if module is None or Path(cwd).resolve() != ROOT.resolve():
            return dvc_run(executable, cmd, **kwargs)
        return run_stage_here(module, cmd, cwd, kwargs["env"])

    stdout, shown = sys.stdout, ShownLines(sys.stdout, keep)
    to_stdout = {  # DVC's log lines for the terminal (set up when dvc was imported)
        handler
        for name in DVC_LOGGERS
        for handler in logging.getLogger(name).handlers
        if getattr(handler, "stream", None) is stdout
    }
    for handler in to_stdout:
        handler.setStream(shown)
    sys.stdout = shown
    if known:
        dvc_stage_run._run = run
    try:
        code = main(argv)
    finally:
        if known:
            dvc_stage_run._run = dvc_run
        sys.stdout = stdout
        for handler in to_stdout:
            handler.setStream(stdout)
        shown.finish()
    if code == DVC_INTERRUPTED:
        raise Interrupted
    return code
