"""How the tests start Chromium: without a window, a first-run dialog or any network of its
own. Shared by tests/test_writeup.py (a screenshot) and tests/lab_browser.py (a script that
runs in a study's environment, so this module needs nothing beyond Python)."""

HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
