"""Full tier: the write-up as a reader sees it, in a real (headless) browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from chromium import HEADLESS
from PIL import Image

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REFORMS_HEADINGS = [
    "Study goals",
    "Computational reproducibility",
    "Data quality",
    "Preprocessing",
    "Modelling",
    "Data leakage",
    "Metrics and uncertainty",
    "Generalizability and limitations",
    "Ethics",
    "Feedback received and what I changed",
]


def screenshot(page: Path, out: Path, profile: Path) -> Image.Image:
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    subprocess.run(
        [
            CHROMIUM,
            *HEADLESS,
            f"--user-data-dir={profile}",
            f"--screenshot={out}",
            "--window-size=1000,4000",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return Image.open(out).convert("RGB")


def coloured_pixels(image: Image.Image) -> int:
    """Pixels far from grey: the figures' colours, not the page's black and grey text."""
    raw = image.tobytes()
    triples = zip(raw[0::3], raw[1::3], raw[2::3], strict=True)
    return sum(1 for r, g, b in triples if max(r, g, b) - min(r, g, b) > 60)


def test_figures_render_in_a_browser(default_study, tmp_path):
    page = default_study.path / "reports" / "writeup.html"
    html = page.read_text(encoding="utf-8")
    sources = re.findall(r'<img[^>]* src="([^"]*)"', html)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "http://" not in html and "https://" not in html.split("<main>")[0]

    with_figures = screenshot(page, tmp_path / "writeup.png", tmp_path / "profile")
    blank = tmp_path / "blank.html"
    blank.write_text(re.sub(r'src="data:image[^"]*"', 'src=""', html), encoding="utf-8")
    without = screenshot(blank, tmp_path / "blank.png", tmp_path / "profile")
    # The figures are what makes the page colourful: far more than text and tables alone.
    assert coloured_pixels(with_figures) > 50 * max(coloured_pixels(without), 100)


def test_writeup_has_every_reforms_section_and_the_reproduce_box(default_study):
    html = default_study.read("reports/writeup.html")
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    for heading in REFORMS_HEADINGS:
        assert heading in headings, heading
    for part in (
        "Reproduce this study",
        "Code (git commit)",
        "Raw data (DVC hash)",
        "Environment",
        "Model card",
        "Intended use",
        "Limitations",
    ):
        assert part in html, part
    lock = yaml.safe_load(default_study.read("dvc.lock"))
    assert f"md5:{lock['stages']['get_data']['outs'][0]['md5']}" in html


def test_writeup_numbers_equal_metrics_json(default_study):
    metrics = json.loads(default_study.read("reports/metrics.json"))
    html = default_study.read("reports/writeup.html")
    name = metrics["metric"]
    cells = re.findall(r"<td>([^<]*)</td>", html)
    for label in ("model", "baseline"):
        m = metrics[label]
        assert f"{m['cv']['mean']:.3f} ± {m['cv']['sd']:.3f}" in cells
        assert f"{m['test'][name]:.3f}" in cells
        assert f"{m['test_ci']['low']:.3f} to {m['test_ci']['high']:.3f}" in cells


def test_hostile_author_is_text_not_markup(render):
    study = render(
        author_name="</script><script>alert(1)</script>",
        project_name="<img src=x onerror=alert(2)> study",
    )
    study.make("study")
    html = study.read("reports/writeup.html")
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
