"""The raw table as prepare works on it: held whole in memory.

prepare takes four steps through it (``sample``, ``complete``, ``keys``, ``write``), the
same four that a study made with compute=dask takes through the table's partitions, so
both decide and split by the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import split, values
from .decisions import Role
from .files import atomic_path
from .paths import RAW_DATA, TEST, TRAIN
from .reading import raw_as_written, source_of


@dataclass
class Keys:
    """What the split needs of every usable row, and no more (kit/split.py)."""

    rows: pd.DataFrame  # per usable row: target, fingerprint (and time or group, if used)
    raw_rows: int
    removed: list  # RemovedRows: rows left out, with the reason
    repeats_expected: bool  # the features allow so few combinations that repeats are normal


class InMemory:
    """The raw table, whole, as a pandas DataFrame."""

    def __init__(self, frame: pd.DataFrame, save: bool = True, read: dict | None = None):
        # Codes for unknown and numbers written as text, found in the whole table.
        self.rules = values.find(frame, read)
        self.frame = values.apply(frame, self.rules, read)
        self.source = None  # how the raw file was read (open_table says)
        self.save = save  # False (tests): keep the split rows in memory, write no file
        self.sized_to = None  # the memory a training sample was sized to: none here
        self.used = self.train = self.test = frame.iloc[:0]

    def __enter__(self) -> InMemory:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def sample(self) -> pd.DataFrame:
        """The rows the data check and the column roles look at: here, all of them."""
        return self.frame

    def complete(self, decided):
        """Counts over the whole table: the sample was the whole table, so only how the
        file was read is added."""
        return decided.model_copy(update={"source": self.source})

    def keys(self, decided, plan, params: dict) -> Keys:
        """The keys of the rows with a target (and not of a class in data.drop_classes), for
        the split ``plan`` (kit/split.py's choose)."""
        mask, removed = split.usable_rows(self.frame[decided.target], params["data"])
        self.used = self.frame.loc[mask].reset_index(drop=True)
        return Keys(
            rows=split.keys_of(self.used, decided.target, decided.feature_names(), plan),
            raw_rows=len(self.frame),
            removed=removed,
            # Free text is never "few combinations": identical texts are copies.
            repeats_expected=split.repeats_expected(self.used[decided.feature_names()])
            and not decided.names_with(Role.TEXT),
        )

    def write(self, train: np.ndarray, test: np.ndarray) -> None:
        """The training and the test rows (positions among the usable rows), as CSV files."""
        self.train, self.test = self.used.iloc[train], self.used.iloc[test]
        for rows, path in ((self.train, TRAIN), (self.test, TEST)):
            if self.save:
                with atomic_path(path) as tmp:
                    rows.to_csv(tmp, index=False)

    def train_rows(self, sample: pd.DataFrame) -> None:
        """How many training rows the model is fitted on: in memory, all of them."""
        return None

    def training_rows(self) -> pd.DataFrame:
        """The rows the model is fitted on, as ``write`` wrote them."""
        return self.train

    def where(self) -> str:
        return "in memory (pandas)"


def open_table(params: dict) -> InMemory:
    """The raw table without ``data.drop_columns``, for prepare."""
    data = params["data"]
    frame = raw_as_written(data).drop(columns=data["drop_columns"], errors="ignore")
    table = InMemory(frame, read=data["read"])
    table.source = source_of(RAW_DATA, data["read"]) if RAW_DATA.exists() else None
    return table
