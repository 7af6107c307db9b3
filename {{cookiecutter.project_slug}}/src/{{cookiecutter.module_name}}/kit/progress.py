"""Lines that say how far a long step has come, so that a wait is never silent.

    with Progress("evaluate: model: cross-validation", "folds", 5) as progress:
        ...  # progress.step() after each fold

A step that ends within FIRST_LINE seconds prints nothing, so a small study's output stays
short. A longer one says how far it has come at FIRST_LINE seconds and then every EVERY
seconds (from a thread, while the step works), and how long it took when it ends.
"""

from __future__ import annotations

import threading
import time

FIRST_LINE = 2.0
EVERY = 10.0


class Progress:
    """Counts the steps of one long piece of work (``unit``: folds, resamples...), and says
    how far it is while it runs. Without a unit, it says only how long it has been."""

    def __init__(self, what: str, unit: str = "", total: int | None = None):
        self.what, self.unit, self.total = what, unit, total
        self.done = 0
        self.said = False
        self.started = time.monotonic()
        self.finished = threading.Event()
        self.watcher = threading.Thread(target=self.watch, daemon=True)

    def step(self, count: int = 1) -> None:
        self.done += count

    def counted(self, scorer):
        """``scorer`` (scikit-learn's scorer(estimator, X, y)) that counts a step each call:
        cross-validation and the learning curve call it once per fold they score."""

        def scoring(estimator, features, labels):
            score = scorer(estimator, features, labels)
            self.step()
            return score

        return scoring

    def line(self) -> str:
        seconds = f"{time.monotonic() - self.started:.0f} s"
        if not self.unit:
            return f"{self.what}: {seconds} so far"
        of = f" of {self.total}" if self.total else ""
        return f"{self.what}: {self.done}{of} {self.unit} done, {seconds} so far"

    def watch(self) -> None:
        wait = FIRST_LINE
        while not self.finished.wait(wait):
            print(self.line(), flush=True)
            self.said, wait = True, EVERY

    def __enter__(self) -> Progress:
        self.watcher.start()
        return self

    def __exit__(self, kind, *exc) -> None:
        self.finished.set()
        self.watcher.join()
        if self.said and kind is None:
            print(f"{self.what}: done in {time.monotonic() - self.started:.0f} s", flush=True)
