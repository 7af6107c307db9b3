"""What the raw values mean: codes for "unknown", and numbers written the way spreadsheets
export them.

Tables mark an unknown value in many ways: an empty cell, ``?``, ``NA``, ``-``, ``.``, or a
number no real value could be (-999, 9999). They write numbers with thousands separators,
currency and percent signs (``"$6,126"``, ``"12%"``). ``find`` looks at a table (the whole
table, or a sample of it) and decides, per column, which values are codes for unknown and
whether its text is numbers; ``apply`` then reads every row (or partition) by those rules.
Both are counted, and data/summary.md lists them. params.yaml's ``data.read`` overrules:
``na_values`` adds codes, ``keep_values`` keeps a value that is real here, ``thousands`` names
the separator (``none``: no text is read as numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .decisions import NumberMark

# Codes for unknown in text, compared without case and surrounding spaces. pandas' own list
# is among them, so nothing it used to read as missing is read otherwise now.
TEXT_CODES = frozenset(
    [
        "",
        "?",
        "??",
        "-",
        "--",
        ".",
        "na",
        "n/a",
        "n.a.",
        "nan",
        "-nan",
        "null",
        "none",
        "missing",
        "<na>",
        "#n/a",
        "#na",
        "#n/a n/a",
        "-1.#ind",
        "1.#ind",
        "-1.#qnan",
        "1.#qnan",
        # Spreadsheet errors: a formula that gave no value.
        "#div/0!",
        "#value!",
        "#ref!",
        "#num!",
        "#name?",
    ]
)
# Numbers that stand for unknown when they lie far outside a column's other values (beyond
# them by more than their whole range): -9, 99, -999, 9999 ... Never -1 or 0.
SENTINELS = tuple(sign * (10**digits - 1) for digits in range(1, 7) for sign in (-1, 1))
# Codes that are words could be real names or titles ("Missing", a film; "None", a song):
# in a column that is mostly different values (names, titles, free text), they are kept.
WORD_CODES = frozenset(["missing", "none", "null", "nan"])
NAMES_SHARE, NAMES_MIN = 0.5, 100
CURRENCY = "$€£¥₹"
# Thousands separators tried, in order, when data.read.thousands is auto.
THOUSANDS = (",", ".", "'", " ", "\u00a0", "\u202f")
LETTERS = re.compile(r"[A-DF-Za-df-z]")  # any letter but the e of 1e-05


def number_pattern(thousands: str | None, decimal: str) -> re.Pattern:
    """A number as a spreadsheet writes it: sign, currency, digits in groups, decimals, %."""
    digits = r"\d+"
    if thousands is not None:  # 1,234,567 (or 1234567): groups of three after the first
        digits = r"(?:\d{1,3}(?:" + re.escape(thousands) + r"\d{3})+|\d+)"
    sign, money = r"[-+\u2212]?", f"[{CURRENCY}]?"
    return re.compile(
        rf"^\s*{sign}\s*{money}\s*{sign}{digits}(?:{re.escape(decimal)}\d+)?(?:[eE][-+]?\d+)?"
        rf"\s*%?\s*{money}\s*$"
    )


def to_numbers(text: pd.Series, thousands: str | None, decimal: str) -> pd.Series:
    """Text numbers as floats: signs, separators and spaces removed (12% is 12)."""
    cleaned = text.str.replace(f"[{CURRENCY}%\\s]", "", regex=True).str.replace("\u2212", "-")
    if thousands is not None and not thousands.isspace():
        cleaned = cleaned.str.replace(thousands, "", regex=False)
    cleaned = cleaned.str.replace(decimal, ".", regex=False)
    return pd.to_numeric(cleaned, errors="coerce").astype("float64")


@dataclass
class Rules:
    """How one column's raw values are read: codes that mean unknown, text as numbers."""

    codes: dict[str, int] = field(default_factory=dict)  # text codes as written -> rows
    sentinels: dict[float, int] = field(default_factory=dict)  # numbers -> rows
    numbers: bool = False  # the text is numbers
    thousands: str | None = None
    marks: list[NumberMark] = field(default_factory=list)

    def missing_codes(self) -> dict[str, int]:
        shown = {f"{v:g}": n for v, n in self.sentinels.items()}
        return {**self.codes, **shown}


def settings_of(read: dict | None) -> tuple[frozenset, set, set, str, str]:
    """From data.read: the text codes, numbers read as missing, values kept, the separator
    setting and the decimal mark."""
    read = read or {}
    added = read.get("na_values") or []
    kept = {str(v).strip().casefold() for v in read.get("keep_values") or []}
    codes = (TEXT_CODES | {str(v).strip().casefold() for v in added}) - kept
    numbers = {float(v) for v in added if _is_number(v)}
    kept_numbers = {float(v) for v in read.get("keep_values") or [] if _is_number(v)}
    thousands = read.get("thousands", "auto")
    return (
        codes,
        numbers,
        kept_numbers,
        "none" if thousands is None else thousands,
        read.get("decimal", "."),
    )


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool)


def found_codes(counts: pd.Series, stripped: pd.Series, codes: frozenset) -> dict[str, int]:
    """The codes among a column's values (as written, surrounding spaces removed) -> rows."""
    is_code = stripped.str.casefold().isin(codes).to_numpy()
    found = counts[is_code].groupby(stripped[is_code].to_numpy()).sum()
    return {str(k): int(v) for k, v in found.sort_values(ascending=False).items()}


def number_marks(rest: pd.Series, separator: str | None) -> list[NumberMark]:
    """What surrounds the digits of a column of numbers written as text."""
    seen = {
        NumberMark.THOUSANDS: separator is not None
        and rest.str.contains(separator, regex=False).any(),
        NumberMark.CURRENCY: rest.str.contains(f"[{CURRENCY}]").any(),
        NumberMark.PERCENT: rest.str.contains("%", regex=False).any(),
        NumberMark.SPACES: (rest != rest.str.strip()).any(),
    }
    return [mark for mark, found in seen.items() if found]


def text_rules(column: pd.Series, codes: frozenset, thousands: str, decimal: str) -> Rules:
    """Codes for unknown in a text column, and whether the rest of it is numbers."""
    counts = column.dropna().astype(str).value_counts()
    stripped = pd.Series(counts.index.str.strip(), index=counts.index)
    rules = Rules(codes=found_codes(counts, stripped, codes))
    rest = pd.Series(counts.index[~stripped.str.casefold().isin(codes).to_numpy()])
    numbers = not rest.empty and thousands != "none" and not rest.str.contains(LETTERS).any()
    choices = THOUSANDS if thousands == "auto" else (thousands,)
    for separator in (None, *(c for c in choices if c != decimal)) if numbers else ():
        if rest.str.fullmatch(number_pattern(separator, decimal)).all():
            rules.numbers, rules.thousands = True, separator
            rules.marks = number_marks(rest, separator)
            return rules
    if len(counts) >= NAMES_MIN or len(counts) > NAMES_SHARE * counts.sum():
        rules.codes = found_codes(counts, stripped, codes - WORD_CODES)  # names, titles
    return rules


def sentinel_counts(values: pd.Series, added: set, kept: set) -> dict[float, int]:
    """Numbers in a column that stand for unknown: those of data.read.na_values, and the
    usual sentinels (-999, 9999 ...) when they lie beyond the other values by more than the
    others' whole range."""
    values = values.dropna()
    if values.empty or pd.api.types.is_bool_dtype(values):
        return {}
    candidates = [s for s in SENTINELS if s not in kept]
    present = values[values.isin(candidates + sorted(added))]
    if present.empty:
        return {}
    counts = present.value_counts()
    others = values[~values.isin(counts.index)]
    found = {}
    for value, rows in counts.items():
        if value in added:
            found[float(value)] = int(rows)
            continue
        if others.empty or rows * 2 > len(values):
            continue  # nothing to compare with, or most rows: a real value
        low, high = float(others.min()), float(others.max())
        spread = max(high - low, 1.0)
        if value > high + spread or value < low - spread:
            found[float(value)] = int(rows)
    return found


def find(frame: pd.DataFrame, read: dict | None) -> dict[str, Rules]:
    """The rules for each column of ``frame`` (columns with nothing to change are left out)."""
    codes, added, kept, thousands, decimal = settings_of(read)
    found = {}
    for name in frame.columns:
        column = frame[name]
        rules = Rules()
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            rules = text_rules(column, codes, thousands, decimal)
            if rules.numbers:
                column = to_numbers(column.astype(str), rules.thousands, decimal).where(
                    ~column.astype(str).str.strip().str.casefold().isin(codes) & column.notna()
                )
        if pd.api.types.is_numeric_dtype(column):
            rules.sentinels = sentinel_counts(column, added, kept)
        if rules.codes or rules.sentinels or rules.numbers:
            found[str(name)] = rules
    return found


def apply(frame: pd.DataFrame, rules: dict[str, Rules], read: dict | None) -> pd.DataFrame:
    """``frame`` read by ``rules``: codes for unknown become missing, text numbers numbers."""
    if not rules:
        return frame
    decimal = settings_of(read)[4]
    frame = frame.copy()
    for name, rule in rules.items():
        if name not in frame.columns:
            continue
        column = frame[name]
        if rule.codes:
            codes = {code.casefold() for code in rule.codes}
            text = column.astype(str).str.strip().str.casefold()
            column = column.where(~(text.isin(codes) & column.notna()), np.nan)
        if rule.numbers:
            present = column.notna()
            column = to_numbers(column.astype(str), rule.thousands, decimal).where(present)
        if rule.sentinels:
            column = column.where(~column.isin(list(rule.sentinels)), np.nan)
        frame[name] = column
    return frame
