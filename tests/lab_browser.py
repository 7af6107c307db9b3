"""Double-click a notebook in JupyterLab's file browser, run a cell and save, in Chromium.

A script, not a test module: tests/test_first_hour.py runs it with the study's own Python,
whose JupyterLab brings websocket-client, the one package it needs beyond the standard
library. It drives Debian's headless Chromium through the DevTools protocol, the way a
learner's mouse and keyboard would (real mouse and key events, no JupyterLab internals),
and prints what it saw as JSON:

    python lab_browser.py LAB_URL NOTEBOOK_NAME KERNEL_DISPLAY_NAME TEXT_IN_FIRST_OUTPUT
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket  # websocket-client, a dependency of jupyter_server
from chromium import HEADLESS  # tests/chromium.py, beside this script

CHROMIUM_FLAGS = [*HEADLESS, "--remote-debugging-port=0", "--window-size=1400,1000"]
SHIFT, CTRL = 8, 2  # the DevTools protocol's modifier bits


class Page:
    """One Chromium tab, spoken to over the DevTools protocol."""

    def __init__(self, ws_url: str):
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.ids = itertools.count(1)

    def send(self, method: str, **params):
        message_id = next(self.ids)
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:  # skip events until our answer arrives
            reply = json.loads(self.ws.recv())
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, what: str, timeout: float = 120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.5)
        text = self.evaluate("document.body ? document.body.innerText.slice(0, 3000) : ''")
        if os.environ.get("LAB_SCREENSHOT"):  # a picture of the page, to see what went wrong
            shot = self.send("Page.captureScreenshot", format="png")["data"]
            Path(os.environ["LAB_SCREENSHOT"]).write_bytes(base64.b64decode(shot))
        raise TimeoutError(f"no {what} after {timeout:.0f} s; the page shows:\n{text}")

    def mouse(self, x: float, y: float, clicks: int) -> None:
        self.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        for count in range(1, clicks + 1):
            for kind in ("mousePressed", "mouseReleased"):
                self.send(
                    "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=count
                )

    def key(self, key: str, code: str, key_code: int, modifiers: int) -> None:
        for kind in ("rawKeyDown", "keyUp"):
            self.send(
                "Input.dispatchKeyEvent",
                type=kind,
                key=key,
                code=code,
                windowsVirtualKeyCode=key_code,
                modifiers=modifiers,
            )


def centre_of(selector_js: str) -> str:
    """JavaScript giving the centre of the element found by `selector_js`, or null."""
    return (
        f"(() => {{ const e = {selector_js}; if (!e) return null;"
        " const r = e.getBoundingClientRect();"
        " return r.width ? [r.x + r.width / 2, r.y + r.height / 2] : null; })()"
    )


def open_chromium(profile: Path) -> tuple[subprocess.Popen, Page]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    browser = subprocess.Popen(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while not port_file.is_file() or not port_file.read_text().strip():
        if time.monotonic() > deadline or browser.poll() is not None:
            raise SystemExit("chromium did not start")
        time.sleep(0.2)
    port = port_file.read_text().split()[0]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as answer:
        targets = json.load(answer)
    page = next(t for t in targets if t["type"] == "page")
    return browser, Page(page["webSocketDebuggerUrl"])


def main(url: str, notebook: str, kernel_display: str, expected_output: str) -> None:
    seen = {}
    # Chromium's helper processes may still write to the profile as the browser stops.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        browser, page = open_chromium(Path(profile))
        try:
            page.send("Page.navigate", url=url)
            # The file browser lists the notebook: double-click it, as a learner would.
            name = json.dumps(notebook)
            item = (
                "[...document.querySelectorAll('.jp-DirListing-item')].find(e => "
                f"e.querySelector('.jp-DirListing-itemText')?.textContent === {name})"
            )
            x, y = page.wait_for(centre_of(item), f"{notebook} in the file browser")
            page.mouse(x, y, clicks=2)
            panel = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
            toolbar = f"{panel}?.querySelector('.jp-Toolbar')?.textContent || ''"
            page.wait_for(
                f"{toolbar}.includes({json.dumps(kernel_display)})",
                f"notebook panel with the kernel {kernel_display!r}",
            )
            seen["editor_opened"] = page.evaluate(
                "!!document.querySelector('.jp-FileEditor:not(.lm-mod-hidden)')"
            )
            # Once the kernel is ready (the status bar says Idle), run the first code cell:
            # click into it until it is the active cell, then Shift+Enter.
            page.wait_for("document.body.innerText.includes('| Idle')", "idle kernel")
            cell = f"{panel}.querySelector('.jp-CodeCell .cm-content')"
            active = f"!!{panel}.querySelector('.jp-CodeCell.jp-mod-active')"
            for _ in range(10):
                x, y = page.wait_for(centre_of(cell), "a code cell")
                page.mouse(x, y, clicks=1)
                time.sleep(1)
                if page.evaluate(active):
                    break
            page.key("Enter", "Enter", 13, SHIFT)
            output = f"{panel}.querySelector('.jp-CodeCell .jp-OutputArea')?.innerText || ''"
            seen["output"] = page.wait_for(
                f"(({output}).includes({json.dumps(expected_output)}) && {output})",
                f"output containing {expected_output!r}",
                timeout=180,
            )
            # Save with Ctrl+S and wait until the tab no longer shows unsaved changes.
            page.key("s", "KeyS", 83, CTRL)
            page.wait_for(
                "!document.querySelector('.lm-TabBar-tab.jp-mod-dirty')",
                "saved notebook",
                timeout=60,
            )
            seen["saved"] = True
            # The kernel that ran the cell, as the notebook's toolbar names it.
            seen["toolbar"] = page.evaluate(toolbar)
        finally:
            browser.terminate()
            browser.wait(timeout=30)
    print(json.dumps(seen))


if __name__ == "__main__":
    main(*sys.argv[1:5])
