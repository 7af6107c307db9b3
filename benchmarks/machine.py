"""What the numbers were measured on: the same figures mean little on another machine."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path


def load_average() -> tuple[float, float, float]:
    """1, 5 and 15 minute load averages: the CPU is shared, so they qualify every figure."""
    return os.getloadavg()


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def tool_version(*command: str) -> str:
    if shutil.which(command[0]) is None:
        return "not found"
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "?"


def describe(uv: str) -> dict[str, str]:
    """The machine, in the words the table prints."""
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu_model(),
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "python": platform.python_version(),
        "uv": tool_version(uv, "--version"),
        "git": tool_version("git", "--version"),
        "cookiecutter": tool_version(
            str(Path(sys.executable).parent / "cookiecutter"), "--version"
        ).split(" from ")[0],
    }
