"""Run docs/walkthrough.md's commands in order, and put their real output into the page.

The page marks its blocks like this (the words after the language are invisible on GitHub):

    ```bash             commands the reader types; run in order, each block in a fresh bash
                        that starts in the folder the previous block ended in
    ```bash norun       shown but never run: it opens a browser, or needs GitHub or a password
    ```text output      the output of the command block just above; filled in by this script.
                        `head=N` / `tail=N` keep the first / last N lines and elide the middle
    <!-- run: ... -->   an HTML comment the reader does not see: commands that stand in for a
                        step done by hand just above (editing a file, cloning from GitHub)

tests/test_docs.py runs the page this way in a temporary home folder (the full tier), and
`make walkthrough` runs the same test with WALKTHROUGH_UPDATE=1, which writes the captured
output back into the page. Nothing here is run by hand.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

PAGE = Path(__file__).resolve().parents[1] / "docs" / "walkthrough.md"

HIDDEN = re.compile(r"^<!-- run:[ \t]*\n?(?P<body>.*?)-->", re.DOTALL | re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass
class Block:
    kind: str  # "run", "hidden", "norun", "output" or "other"
    body: str
    start: int  # where the body starts and ends in the page text
    end: int
    options: dict = field(default_factory=dict)
    output: str | None = None  # what a run block printed, once run


class WalkthroughFailed(AssertionError):
    pass


def parse(text: str) -> list[Block]:
    """Every fenced block and `<!-- run: -->` comment of the page, in order (markdown-it)."""
    line_starts = [0]
    for line in text.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    blocks = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "fence" and token.map:
            words = token.info.split()
            flags = {w for w in words[1:] if "=" not in w}
            options = dict(w.split("=", 1) for w in words[1:] if "=" in w)
            if "output" in flags:
                kind = "output"
            elif "norun" in flags:
                kind = "norun"
            elif words and words[0] in {"bash", "sh", "console", "shell"}:
                kind = "run"
            else:
                kind = "other"
            start = line_starts[token.map[0] + 1]  # the line after the opening fence
            blocks.append(Block(kind, token.content, start, start + len(token.content), options))
        elif token.type == "html_block" and token.map and (hidden := HIDDEN.match(token.content)):
            start = line_starts[token.map[0]] + hidden.start("body")
            blocks.append(Block("hidden", hidden["body"], start, start + len(hidden["body"])))
    return blocks


def shown(output: str, home: Path, options: dict) -> str:
    """Output as the page shows it: no colour codes, `~` for the home folder, trimmed."""
    text = ANSI.sub("", output).replace(str(home), "~")
    lines = [line.rstrip() for line in text.splitlines()]
    head, tail = int(options.get("head", 0)), int(options.get("tail", 0))
    if (head or tail) and len(lines) > head + tail + 1:
        cut = len(lines) - head - tail
        lines = lines[:head] + [f"[... {cut} lines not shown ...]"] + lines[len(lines) - tail :]
    return "\n".join(lines).strip("\n") + "\n"


def run(blocks: list[Block], home: Path, env: dict, timeout: float = 900) -> None:
    """Run the run and hidden blocks in order, starting in `home`; keep each one's output.

    Stops at the first block that fails, with the block and what it printed.
    """
    cwd = home
    with tempfile.TemporaryDirectory() as scratch:
        for number, block in enumerate(blocks, 1):
            if block.kind not in {"run", "hidden"}:
                continue
            state = Path(scratch) / "cwd"
            script = Path(scratch) / f"block{number}.sh"
            script.write_text(f"set -eo pipefail\n{block.body}\npwd > '{state}'\n")
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", str(script)],
                check=False,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout,
            )
            block.output = done.stdout
            if done.returncode != 0:
                raise WalkthroughFailed(
                    f"walk-through block {number} failed with exit status {done.returncode} "
                    f"in {cwd}:\n{block.body}\n--- its output ---\n{done.stdout[-6000:]}"
                )
            cwd = Path(state.read_text().strip())


def with_outputs(text: str, blocks: list[Block], home: Path) -> str:
    """The page with each output block replaced by what the run block above it printed."""
    pieces, position, last_run = [], 0, None
    for block in blocks:
        if block.kind == "run":
            last_run = block
        elif block.kind == "output":
            if last_run is None or last_run.output is None:
                raise WalkthroughFailed(
                    f"an output block has no command block above it:\n{block.body}"
                )
            pieces += [text[position : block.start], shown(last_run.output, home, block.options)]
            position = block.end
            last_run = None  # one output block per command block
    return "".join(pieces) + text[position:]
