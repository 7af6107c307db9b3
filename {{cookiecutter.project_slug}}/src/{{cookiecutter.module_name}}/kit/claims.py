"""Reading WRITEUP.md: which prompts are still unanswered, and which claims the numbers do
not support (the report stage adds a reviewer's note beside each; run.py review counts them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from markdown_it import MarkdownIt

PROMPT = re.compile(r"^\*[^*\s][^*]*\*$", re.DOTALL)  # a whole paragraph in *italics*


def sections(text: str) -> dict[str, str]:
    """Each ``## heading`` of a Markdown file and the text under it (comments removed)."""
    text = re.sub(r"[{]#.*?#[}]", "", text, flags=re.DOTALL)
    found, heading = {}, None
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            found[heading] = ""
        elif heading:
            found[heading] += line + "\n"
    return found


def unanswered(text: str) -> list[str]:
    """Headings whose italic prompt is still in place: the learner has not answered them."""
    return [
        heading
        for heading, body in sections(text).items()
        if any(PROMPT.match(paragraph.strip()) for paragraph in body.split("\n\n"))
    ]


def answered(text: str, heading: str) -> bool:
    """Whether the section holds words of the learner's own, not only its prompt."""
    body = sections(text).get(heading, "")
    own = [p for p in body.split("\n\n") if p.strip() and not PROMPT.match(p.strip())]
    return bool(own)


NEGATED = re.compile(r"\b(not|no|never|neither|nor|cannot|without|whether|unclear)\b|n't\b", re.I)
RULES = {
    # A claim of improvement, when the interval of model − baseline includes zero.
    "improvement": re.compile(
        r"\b(better|outperform\w*|beats?|superior|improve[sd]?|improvement|more accurate)\b",
        re.I,
    ),
    # A claim about all data, people or settings, from the one dataset of this study.
    "generality": re.compile(
        r"\b(for all|always|in general|generali[sz]es|universal(ly)?|proves?|proven|"
        r"any (data|dataset|population|setting)|all (data|datasets|people|patients|cases))\b",
        re.I,
    ),
    # "significant" reads as a statistical test, and the pipeline runs none.
    "significance": re.compile(r"\bsignifican(t|tly|ce)\b", re.I),
    # A precise number typed by hand (0.953, 12.345, 95.3%) instead of a placeholder...
    "typed-number": re.compile(r"(?<![\w.])(0?\.\d{2,}|\d+\.\d{3,}|\d+\.\d+\s?%)(?![\w.])"),
}
# ... a percentage, or a number in a sentence about results (a learning rate of 0.05 is fine).
RESULT_WORDS = re.compile(
    r"accura|scor|error|r2|r²|f1|mae|rmse|interval|baseline|precision|recall|auc|perform", re.I
)
# Written in two pieces so that cookiecutter, rendering this file, leaves the braces alone.
EXAMPLE_PLACEHOLDER = "{" * 2 + ' metric("model.test.accuracy") ' + "}" * 2
NAMED_TEST = re.compile(r"p[- ]?value|\bp\s*[<=]|t-test|permutation test|McNemar|Wilcoxon", re.I)


@dataclass
class Finding:
    rule: str
    first: int  # the paragraph's first line in WRITEUP.md, counted from 1
    line: int  # and its last line: the reviewer's note goes after it
    section: str
    sentence: str
    message: str


def interval_includes_zero(metrics: dict) -> bool:
    ci = metrics["difference"]["test_ci"]
    return ci["low"] <= 0 <= ci["high"]


def check_sentence(sentence: str, paragraph: str, metrics: dict) -> list[tuple[str, str]]:
    """The rules ``sentence`` breaks, each with the reason, given the study's numbers."""
    broken = []
    ci, level = metrics["difference"]["test_ci"], round(metrics["confidence"] * 100)
    claim = RULES["improvement"].search(sentence)
    if claim and not NEGATED.search(sentence[: claim.start()]) and interval_includes_zero(metrics):
        broken.append(
            (
                "improvement",
                f"claims an improvement, but the {level}% interval of model − baseline "
                f"({ci['low']:.3f} to {ci['high']:.3f}) includes zero: the data cannot tell "
                "the two apart.",
            )
        )
    claim = RULES["generality"].search(sentence)
    if claim and not NEGATED.search(sentence[: claim.start()]):
        broken.append(
            (
                "generality",
                f"'{claim.group(0)}' claims more than one dataset can show: say 'on this "
                "dataset', or name the evidence that it holds elsewhere.",
            )
        )
    if RULES["significance"].search(sentence) and not NAMED_TEST.search(paragraph):
        broken.append(
            (
                "significance",
                "'significant' reads as the result of a statistical test, and none was run: "
                "say what the interval shows instead, or name the test and its result.",
            )
        )
    number = RULES["typed-number"].search(sentence)
    if number and (number.group(0).endswith("%") or RESULT_WORDS.search(sentence)):
        broken.append(
            (
                "typed-number",
                f"'{number.group(0)}' looks typed by hand: use a placeholder such as "
                f"{EXAMPLE_PLACEHOLDER}, so it always matches metrics.json.",
            )
        )
    return broken


# The YAML block between the first two --- lines of WRITEUP.md (the write-up reads it).
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def blank_jinja(text: str) -> str:
    """Front matter, comments and placeholders replaced by spaces, line numbers kept."""

    def spaces(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    text = FRONT_MATTER.sub(spaces, text)
    # [{] spells a brace that cookiecutter, rendering this file, leaves alone.
    return re.sub(r"[{]#.*?#[}]|[{][{].*?[}][}]|[{]%.*?%[}]", spaces, text, flags=re.DOTALL)


def check_claims(text: str, metrics: dict) -> list[Finding]:
    """Every finding in the prose of ``text`` (Markdown), paragraph by paragraph."""
    tokens = MarkdownIt("commonmark").enable("table").parse(blank_jinja(text))
    findings, section = [], ""
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            section = tokens[i + 1].content
        if token.type != "paragraph_open" or not token.map:
            continue
        inline = tokens[i + 1]
        words = "".join(
            child.content if child.type == "text" else " "
            for child in inline.children or []
            if child.type in ("text", "softbreak", "code_inline")
        )
        if PROMPT.match(inline.content.strip()):  # the template's own prompt, not a claim
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(words.split())):
            for rule, message in check_sentence(sentence, words, metrics):
                first, last = token.map[0] + 1, token.map[1]
                findings.append(Finding(rule, first, last, section, sentence, message))
    return findings


def split_front_matter(text: str) -> tuple[dict, str]:
    """The YAML block between the first two ``---`` lines, and the Markdown after it."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1)) or {}, text[match.end() :]
