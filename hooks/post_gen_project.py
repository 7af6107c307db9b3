"""Finish a fresh study: keep the chosen licence, make the first git commit, say what next.

This hook must never fail the render: cookiecutter would delete the whole study. Anything
that cannot be done here is explained in the closing message instead.
"""

import shutil
import subprocess
from pathlib import Path

LICENSE = {{ cookiecutter.license | py }}
SLUG = {{ cookiecutter.project_slug | py }}


def keep_chosen_license():
    licenses = Path("licenses")
    chosen = licenses / LICENSE
    if chosen.is_file():
        chosen.replace("LICENSE")
    shutil.rmtree(licenses, ignore_errors=True)


def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False)


def first_commit():
    """git init and a first commit; returns a line saying what is left to do, or None."""
    if shutil.which("git") is None:
        return "git is not installed: install it, then run `git init` and commit (DVC needs git)."
    # A repository of its own, even when rendered inside another one.
    if not Path(".git").exists() and git("init", "--quiet", "--initial-branch=main").returncode != 0 and git("init", "--quiet").returncode != 0:
        return "`git init` failed: run it yourself, then commit."
    git("add", "--all")
    done = git("commit", "--quiet", "--no-verify", "-m", "Start the study from the practice-study template")
    if done.returncode != 0:
        return (
            "The first commit was not made (git has no name and email yet). Run:\n"
            '    git config --global user.name "Your Name"\n'
            '    git config --global user.email "you@example.com"\n'
            '    git commit -m "Start the study"'
        )
    return None


def main():
    keep_chosen_license()
    try:
        todo = first_commit()
    except OSError as error:  # never fail the render over git
        todo = f"git could not run ({error}): run `git init` and commit yourself."
    print(f"\nYour study is ready in ./{SLUG}\n")
    if todo:
        print(todo + "\n")
    print(f"Next:\n    cd {SLUG}\n    make study    # set up, then run data -> model -> write-up")
    print("    make test     # the study's own tests\n    make          # every command")
    print("\nStart by writing your hypothesis in QUESTION.md, before you look at results.")


if __name__ == "__main__":
    main()
