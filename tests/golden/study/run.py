"""Every command of this study, on Linux, macOS and Windows. Needs only Python 3.10-3.13.

    python3 run.py study        run the pipeline (setting up .venv first, if needed)
    python3 run.py help         list every command
    py run.py study             the same in Windows' PowerShell

It builds the study's environment (.venv, exactly as the lock pins it) when it is missing or
out of date, then runs the command in it. The commands are in kit/cli.py, in the study's
package under src/; this file only finds them. Written so that any Python can read it: an
older one gets a clear message, not a syntax error.
"""

import os
import sys

if sys.version_info[:2] < (3, 10):
    sys.exit(
        "This study needs Python 3.10 to 3.13; {} is Python {}.\n"
        "Run it with another: python3.12 run.py <command> (in PowerShell: py -3.12 run.py "
        "<command>). uv installs one: uv python install 3.12.".format(
            sys.executable, sys.version.split()[0]
        )
    )

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))

from digits_practice_study.kit import cli  # noqa: E402  (standard library only)

if __name__ == "__main__":
    sys.exit(cli.main())
