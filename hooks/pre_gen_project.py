"""Check every answer before cookiecutter writes a file; refuse with a clear message.

Cookiecutter renders this file with the answers, then runs it. Exit status 1 stops the
render and cookiecutter removes the folder it had just created.
"""

import json
import keyword
import re
import sys

ANSWERS = json.loads({{ cookiecutter | tojson | tojson }})
# The names the derived default avoids too (local_extensions.py), rendered in by Jinja.
RESERVED = frozenset(json.loads({{ reserved_module_names() | list | sort | tojson | tojson }}))

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def problems(answers):
    slug = answers["project_slug"]
    if not SLUG.match(slug):
        yield (
            "project_slug",
            f"{slug!r} must be lowercase letters and digits, joined by single hyphens "
            "(no spaces, slashes, dots or leading hyphen)",
            "digits-practice-study",
        )
    module = answers["module_name"]
    if not module.isidentifier() or not module.isascii():
        yield ("module_name", f"{module!r} is not a valid Python name: use letters, digits "
               "and underscores, not starting with a digit", "digits_study")
    elif keyword.iskeyword(module):
        yield ("module_name", f"{module!r} is a Python keyword", "digits_study")
    elif module in RESERVED:
        yield ("module_name", f"{module!r} would hide the standard library or a dependency "
               "of the study", f"{module}_study")
    elif module != module.lower():
        yield ("module_name", f"{module!r} should be lowercase (PEP 8)", module.lower())
    if not EMAIL.match(answers["author_email"]):
        yield ("author_email", f"{answers['author_email']!r} is not an email address",
               "ada@example.org")
    for field in ("project_name", "author_name", "question"):
        text = answers[field]
        if not text.strip():
            yield (field, "must not be empty", "Digits Practice Study")
        elif any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
            yield (field, "must be one line, without control characters", "a single line")


def main():
    found = list(problems(ANSWERS))
    for field, rule, example in found:
        print(f"ERROR: {field}: {rule}. For example: {example}", file=sys.stderr)
    if found:
        print("Nothing was created. Run cookiecutter again with corrected answers.",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
