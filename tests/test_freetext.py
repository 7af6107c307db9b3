"""Free text (project name, author, question) renders safely and reads back unchanged.

The answers are typed at cookiecutter's real prompts, as a learner would. That matters:
cookiecutter renders answers given on its command line (or as ``extra_context``) as Jinja,
so ``project_name='{{ 7*7 }}'`` there becomes ``49``, while a typed answer is taken as it
is. The prompt also strips surrounding whitespace from what is typed.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE, Study, local_extensions
from cookiecutter.main import cookiecutter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from parsing import front_matter, parse

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIELDS = ("project_name", "author_name", "question")
# The questions the quick start asks for the default (bundled) dataset, in order.
PROMPTED = [
    key
    for key in local_extensions.QUESTIONS
    if local_extensions.is_asked(key, {"dataset": "digits"})
]
# Pieces a learner might type that mean something in one of the formats the text lands in.
HOSTILE = [
    '"',
    "'",
    '"""',
    ":",
    ": ",
    "#",
    " #",
    "\\",
    "\\n",
    "{{ 7*7 }}",
    "{%",
    "%}",
    "{#",
    "}}",
    "yes",
    "no",
    "null",
    "on",
    "~",
    "- ",
    "1. ",
    "> ",
    "*",
    "_",
    "`",
    "|",
    "[",
    "]",
    "&amp;",
    "<script>alert(1)</script>",
    "$(touch pwned)",
    "`id`",
    "${{ github.token }}",
    "$HOME",
    "[x](javascript:alert(1))",
    "---",
    "...",
    "%",
    "@",
    "é",
    "中文",
    "😀",
    "👩‍🔬",
    "\u00a0",
    "  ",
]
# What the hook accepts: no control characters, no line or paragraph separators.
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))
FREE_TEXT = (
    st.lists(
        st.one_of(st.sampled_from(HOSTILE), st.text(PRINTABLE, max_size=6)), min_size=1, max_size=6
    )
    .map("".join)
    .filter(lambda text: text.strip())
)
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def type_answers(output: Path, answers: dict[str, str]) -> Study:
    """Render by typing at cookiecutter's prompts; an empty line takes the default."""
    lines = "".join(answers.get(key, "") + "\n" for key in PROMPTED)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stdin", io.StringIO(lines))
        return Study(Path(cookiecutter(str(TEMPLATE), output_dir=str(output))))


def plain_texts(markdown: str) -> list[tuple[str, str]]:
    """(enclosing block, text) for each run of plain text, as a Markdown reader shows it.

    Anything that became markup (emphasis, code, a link, HTML) is not plain text, so an
    answer that turned into markup is not found here.
    """
    found, blocks = [], []
    for token in MARKDOWN.parse(markdown):
        if token.nesting == 1:
            blocks.append(token.tag)
        elif token.nesting == -1:
            blocks.pop()
        elif token.type == "inline":
            found += [(">".join(blocks), c.content) for c in token.children if c.type == "text"]
    return found


def read_back(study: Study) -> dict[str, object]:
    """Every place a free-text answer lands, read with that format's own parser."""
    pyproject = tomllib.loads(study.read("pyproject.toml"))["project"]
    front = front_matter(study.read("WRITEUP.md"))
    values = {
        "pyproject.toml description": pyproject["description"],
        "pyproject.toml author": pyproject["authors"][0]["name"],
        "WRITEUP.md title": front["title"],
        "WRITEUP.md author": front["author"],
        "WRITEUP.md question": front["question"],
        "README.md": plain_texts(study.read("README.md")),
        "QUESTION.md": plain_texts(study.read("QUESTION.md")),
        "data/README.md": plain_texts(study.read("data/README.md")),
        "LICENSE": study.read("LICENSE"),
    }
    if study.has_file(".cruft.json"):
        answers = json.loads(study.read(".cruft.json"))["context"]["cookiecutter"]
        values.update({f".cruft.json {field}": answers[field] for field in FIELDS})
    return values


def assert_reads_back(study: Study, name: str, author: str, question: str) -> None:
    got = read_back(study)
    exact = {
        "pyproject.toml description": question,
        "pyproject.toml author": author,
        "WRITEUP.md title": name,
        "WRITEUP.md author": author,
        "WRITEUP.md question": question,
    }
    if ".cruft.json question" in got:
        exact.update(
            {
                ".cruft.json project_name": name,
                ".cruft.json author_name": author,
                ".cruft.json question": question,
            }
        )
    for where, expected in exact.items():
        assert got[where] == expected, where
    # Markdown drops surrounding whitespace whatever is written, so compare without it.
    readme = got["README.md"]
    assert ("h1", name.strip()) in readme, readme
    assert ("blockquote>p", question.strip()) in readme, readme
    assert any(f"by {author.strip()}." in text for _, text in readme), readme
    assert ("p", question.strip()) in got["QUESTION.md"], got["QUESTION.md"]
    assert ("h1", f"Data card: {name.strip()}") in got["data/README.md"], got["data/README.md"]
    assert f" {author}\n" in got["LICENSE"]
    citation = parse(study.path / "CITATION.cff")  # valid CFF 1.2.0, or parse raises
    assert (citation["title"], citation["abstract"]) == (name, question)
    person = citation["authors"][0]
    names = [person.get("given-names", ""), person.get("family-names", "")]
    assert " ".join(" ".join(names).split()) == " ".join(author.split())


def assert_every_file_parses(study: Study) -> None:
    for path in study.files():
        # The lock holds only the slug (lowercase letters, digits, hyphens), never free
        # text; test_render.py parses it. Parsing its 1.3 MB here would double the time.
        if path.name != "uv.lock":
            parse(path)


# Each example is a whole render (~0.3 s of CPU): few, so the fast tier stays fast. The
# explicit examples run every time; hypothesis adds new random ones on each run.
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=FREE_TEXT, author=FREE_TEXT, question=FREE_TEXT)
@example(  # everything at once, and long
    name='1. Study 2024/25: "Iris" #1 {{ 7*7 }} {% raw %} \\ é 😀',
    author="O'Brien & <b>Søren</b> `id` $(touch pwned) ${{ github.token }}",
    question="- Can *a* model [beat](x) guessing? | yes: no # ~~maybe~~ $x$ &amp; {# "
    + "> and why? " * 300,
)
@example(name="no", author="null", question="on")  # YAML 1.1 booleans and null
def test_typed_free_text_renders_and_reads_back_unchanged(name, author, question):
    with tempfile.TemporaryDirectory() as output:
        study = type_answers(
            Path(output), {"project_name": name, "author_name": author, "question": question}
        )
        assert_every_file_parses(study)
        # The prompt strips what is typed, as a learner sees it echoed.
        assert_reads_back(study, name.strip(), author.strip(), question.strip())


# Filters alone are cheap, so they get many more examples than whole renders.
@settings(max_examples=100, deadline=None)
@given(text=st.one_of(FREE_TEXT, st.text(PRINTABLE, min_size=1).filter(str.strip)))
def test_each_filter_reads_back_through_its_format_parser(text):
    assert tomllib.loads(f"x = {local_extensions.toml_string(text)}")["x"] == text
    assert yaml.safe_load(f"x: {local_extensions.yaml_string(text)}")["x"] == text
    assert json.loads(local_extensions.json_string(text)) == text
    for block, line in [("h1", "# "), ("blockquote>p", "> "), ("p", "")]:
        markdown = line + local_extensions.markdown_text(text)
        assert plain_texts(markdown) == [(block, text.strip())], markdown


def test_surrounding_spaces_are_kept_where_the_format_can_hold_them(render):
    # Spaces survive only through --no-input/extra_context: the prompt strips typed text.
    name, author, question = "  Spaced out  ", " Ada ", "  Why?  "
    study = render(project_name=name, author_name=author, question=question)
    assert_reads_back(study, name, author, question)


def test_braces_typed_at_the_real_prompt_stay_as_typed(tmp_path):
    typed = "".join({"project_name": "Sum {{ 7*7 }}"}.get(key, "") + "\n" for key in PROMPTED)
    subprocess.run(
        [sys.executable, "-m", "cookiecutter", str(TEMPLATE), "-o", str(tmp_path)],
        input=typed,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    study = Study(tmp_path / "sum-7-7")
    assert tomllib.loads(study.read("pyproject.toml"))["project"]["name"] == "sum-7-7"
    assert plain_texts(study.read("README.md"))[0] == ("h1", "Sum {{ 7*7 }}")


def test_braces_given_on_the_command_line_are_rendered_by_cookiecutter(render):
    # cookiecutter's own behaviour (`cookiecutter --no-input . 'project_name=...'` passes
    # extra_context just like this): the answer is a Jinja template there.
    study = render(project_name="Sum {{ 7*7 }}")
    assert plain_texts(study.read("README.md"))[0] == ("h1", "Sum 49")


# Files an answer may land in, each quoted for its format and read back above. An answer
# must never land in a Makefile, a shell script, a GitHub workflow (whose ${{ }} runs even
# inside a quoted YAML string) or HTML.
FREE_TEXT_FILES = {
    "README.md",
    "QUESTION.md",
    "WRITEUP.md",
    "pyproject.toml",
    "LICENSE",
    "CITATION.cff",
    ".cruft.json",
    "data/README.md",
}


def test_free_text_lands_only_where_it_is_quoted_and_read_back(render):
    markers = {field: f"Zq{field}Zq" for field in FIELDS}
    study = render(**markers)
    landed = {
        str(path.relative_to(study.path))
        for path in study.files()
        if any(m in path.read_text(encoding="utf-8", errors="replace") for m in markers.values())
    }
    assert landed <= FREE_TEXT_FILES, (
        f"free text now lands in {sorted(landed - FREE_TEXT_FILES)}: quote it with a "
        "filter from local_extensions.py and add a read-back check in tests/test_freetext.py"
    )
    assert {"README.md", "pyproject.toml", "WRITEUP.md"} <= landed
