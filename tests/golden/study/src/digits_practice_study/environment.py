"""A record of the computing environment, so a reader knows what produced the results."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

KEY_PACKAGES = ("scikit-learn", "pandas", "numpy", "matplotlib", "dvc")


def describe() -> dict:
    versions = {}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": platform.platform(terse=True),
        "machine": platform.machine(),
        "packages": versions,
    }
