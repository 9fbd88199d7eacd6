"""The class report page, rendered by a real headless Chromium and looked at."""
import random
import shutil
import subprocess
import sys

import pytest

from grader.bulk import store
from grader.judge.results import CheckResult, Report

pytestmark = pytest.mark.slow
A = "hw1_autograd"
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or \
    shutil.which("google-chrome")
HISTOGRAM_BLUE, PASS_GREEN = (0x2C, 0x7F, 0xB8), (0x41, 0xAB, 0x5D)


@pytest.fixture(scope="module")
def class_db(tmp_path_factory, course):
    """A database of 40 synthetic gradings over hw1's real checks (some failing, one not
    graded, one late)."""
    path = tmp_path_factory.mktemp("db") / "grades.sqlite"
    db = store.open_db(path)
    rng = random.Random(0)
    checks = course.checks_for(A)
    for i in range(40):
        skill = rng.random()
        rep = Report(A, checks=[
            CheckResult(c.exercise, c.name, c.points, c.points if rng.random() < skill else 0,
                        "passed" if rng.random() < skill else "failed",
                        "" if rng.random() < skill else f"<b>wrong</b> at index {i % 3}",
                        c.hidden, 0.1, "", rng.uniform(0.01, 3.0)) for c in checks])
        for c in rep.checks:
            c.score = c.max_score if c.status == "passed" else 0
        db.record(A, f"student{i:02d}", rep, digest=f"d{i}", code_version="c",
                  course_digest="y", seconds=rng.uniform(1, 20),
                  status=store.NOT_GRADED if i == 7 else store.GRADED,
                  submitted_at="2099-01-01 00:00:00.000000" if i == 3 else "")
    db.close()
    return path


@pytest.fixture(scope="module")
def page(class_db, tmp_path_factory, root):
    out = tmp_path_factory.mktemp("page") / "class.html"
    run = subprocess.run([sys.executable, "-m", "grader", "report-class", "-a", A, "--db",
                          str(class_db), "--out", str(out), "--duedate", "2098-06-01T00:00:00Z"],
                         capture_output=True, text=True,
                         cwd=root, timeout=120)
    assert run.returncode == 0, run.stderr
    return out


def test_the_page_holds_every_section_and_escapes_messages(page, course):
    html = page.read_text()
    for heading in ("Score distribution", "Checks", "Not graded", "Late submissions",
                    "Slowest submissions"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count('class="bin"') == 10
    assert html.count('<tr class="check">') == len(course.checks_for(A))
    assert "&lt;b&gt;wrong&lt;/b&gt;" in html and "<b>wrong" not in html
    assert "student07" in html.split("<h2>Not graded</h2>")[1].split("<h2>")[0]
    assert "student03" in html.split("<h2>Late submissions</h2>")[1].split("<h2>")[0]
    assert "<script" not in html and "http" not in html.split("</style>")[1]


@pytest.mark.skipif(BROWSER is None, reason="NO BROWSER: Debian's chromium is not installed "
                    "(make test installs it when it can: root and apt-get); the page was not "
                    "rendered")
def test_chromium_renders_the_histogram_and_pass_rate_bars(page, tmp_path):
    from PIL import Image
    shot = tmp_path / "class.png"
    run = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
         "--window-size=1200,1600", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.is_file(), run.stderr[-2000:]
    img = Image.open(shot).convert("RGB")
    pixels = [img.getpixel((x, y)) for y in range(0, img.size[1], 2) for x in range(0, img.size[0], 2)]
    near = lambda rgb, ref: all(abs(a - b) <= 6 for a, b in zip(rgb, ref))  # noqa: E731
    blue = [i for i, p in enumerate(pixels) if near(p, HISTOGRAM_BLUE)]
    green = sum(near(p, PASS_GREEN) for p in pixels)
    assert len(blue) > 500, "the histogram's bars were not drawn"
    assert green > 100, "the checks' pass-rate bars were not drawn"
    width = (img.size[0] + 1) // 2
    columns = {i % width for i in blue}
    assert max(columns) - min(columns) > 150, "the histogram spans its width"
