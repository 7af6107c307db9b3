"""Timing by the issue's method: a warm-up run thrown away, then the median of the rest."""

from __future__ import annotations

import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


class CommandFailed(RuntimeError):
    """A measured command failed: its time would mean nothing, so the benchmark stops."""


@dataclass(frozen=True)
class Timing:
    """One run: wall-clock seconds, and CPU seconds (user + system) of every process it ran.

    On a shared CPU the wall clock also counts waiting for other people's work; CPU time
    barely moves with the load, and for serial work it is what an idle machine would take.
    """

    wall: float
    cpu: float

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


@dataclass
class Sample:
    """Seconds of each measured run (warm-up excluded)."""

    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)

    @property
    def cpu(self) -> float | None:
        return statistics.median(self.cpu_seconds) if self.cpu_seconds else None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def low(self) -> float:
        return min(self.seconds)

    @property
    def high(self) -> float:
        return max(self.seconds)

    @property
    def runs(self) -> int:
        return len(self.seconds)


def run(command: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(
        command, cwd=cwd, env=dict(env), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise CommandFailed(
            f"`{' '.join(command)}` in {cwd} failed with {done.returncode}\n"
            f"--- stdout ---\n{done.stdout[-3000:]}\n--- stderr ---\n{done.stderr[-3000:]}"
        )
    return done


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], cwd: Path, env: Mapping[str, str]) -> Timing:
    """Wall-clock and CPU seconds of one command, which must succeed."""
    return measure_output(command, cwd, env)[0]


def measure_output(command: list[str], cwd: Path, env: Mapping[str, str]) -> tuple[Timing, str]:
    """``measure``, with what the command printed (stdout), to check what it did."""
    cpu, start = children_cpu(), time.perf_counter()
    done = run(command, cwd, env)
    return Timing(time.perf_counter() - start, children_cpu() - cpu), done.stdout


def repeat(
    once: Callable[[], dict[str, Timing | float]], runs: int, warmup: int = 1
) -> dict[str, Sample]:
    """Call ``once`` warmup + runs times; each call returns named timings (phases) or plain
    numbers (a ratio, say).

    Returns one Sample per name, over the measured runs only.
    """
    samples: dict[str, Sample] = {}
    for index in range(warmup + runs):
        durations = once()
        if index < warmup:
            continue
        for name, value in durations.items():
            sample = samples.setdefault(name, Sample())
            if isinstance(value, Timing):
                sample.seconds.append(value.wall)
                sample.cpu_seconds.append(value.cpu)
            else:
                sample.seconds.append(value)
    return samples
