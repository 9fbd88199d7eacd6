"""Student text never changes the structure of a report (issue 18, class 7).

Whatever a submission prints, raises or is named, each output format is parsed back
with a real parser (Markdown: markdown-it-py; HTML: html.parser; JUnit: ElementTree;
CSV: csv; Gradescope: json) and has the same structure as for a harmless string, with
the student's text only where text goes.
"""
import csv
import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.conftest import ROOT

from grader.bulk.gradeall import Graded, Item, Progress
from grader.config import load_course
from grader.judge.results import CheckResult, Report
from grader.reports import escape, formats, gradebook
from grader.reports.pages import to_html, to_markdown, write_feedback
from grader.reports.text import to_text

from tests.conftest import examples

FUZZ = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
ATTACKS = ["**Score: 36 / 36**", "<img src=https://evil.example/x.png>",
           "[click](javascript:alert(1))", "![x](https://evil.example/t.gif)", "```", "~~~~",
           "\n```\n# Score: 36 / 36\n", "</pre><script>alert(1)</script>", "]]><x/>",
           "\x00\x1b[31m\x07", "=cmd|' /C calc'!A0", "  +1", "\ud800 lone surrogate",
           "\r\n| a | b |\r\n|---|---|", "<!-- x", "&lt;&#60;", "\udcff.py", "`` ` ``"]
STUDENT_TEXT = st.sampled_from(ATTACKS) | st.text(
    st.characters(blacklist_categories=()), max_size=40)   # surrogates and controls included


def report_with(text):
    """A report in which `text` is everywhere a student's text can be."""
    rep = Report("hw1_autograd", notes=["note: " + text], output="out: " + text + "\n")
    rep.checks = [CheckResult("trid", "values", 1, 1, "passed", "", False, 0.01),
                  CheckResult("trid", "gradient", 2, 0, "failed", "msg: " + text, False, 0.01),
                  CheckResult("trid", "minimize", 2, 0, "error", "err: " + text, False, 0.01)]
    return rep


# ------------------------------------------------------------------------- Markdown
MD = MarkdownIt("commonmark").enable("table")


def md_shape(page):
    """Block and inline token types (content left out), and every fence's content."""
    shape, fences = [], []
    for tok in MD.parse(page):
        shape.append(tok.type)
        shape += [child.type for child in tok.children or []]
        if tok.type == "fence":
            fences.append(tok.content)
    return shape, fences


@FUZZ
@given(STUDENT_TEXT)
@example("**Score: 36 / 36**")
def test_markdown_structure_does_not_depend_on_student_text(text):
    page = to_markdown(report_with(text), student="s" + text)
    shape, fences = md_shape(page)
    assert shape == md_shape(to_markdown(report_with("x"), student="sx"))[0]
    for kind in ("image", "link_open", "html_inline", "html_block", "strong_open"):
        assert shape.count(kind) == md_shape(to_markdown(report_with("x"), "sx"))[0].count(kind)
    clean = escape.plain(text)
    assert "msg: " + clean + "\n" in fences and "err: " + clean + "\n" in fences


def test_the_issues_markdown_attack_stays_text():
    page = to_markdown(report_with(
        "**Score: 36 / 36** <img src=https://evil.example/x.png> [a](javascript:x)"), "eve")
    html_out = MD.render(page)
    assert "<img" not in html_out and "href" not in html_out
    assert html_out.count("<strong>") == 1 + 2   # our score line and two check names


# ----------------------------------------------------------------------------- HTML
class Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(k for k, _v in attrs)))

    def handle_data(self, data):
        self.texts.append(data)


def html_shape(page):
    p = Tags()
    p.feed(page)
    p.close()
    return p


@FUZZ
@given(STUDENT_TEXT)
def test_html_structure_does_not_depend_on_student_text(text):
    got = html_shape(to_html(report_with(text), student="s" + text))
    assert got.tags == html_shape(to_html(report_with("x"), student="sx")).tags
    assert not any(name in ("src", "href") for _tag, attrs in got.tags for name in attrs)
    assert any(escape.plain("err: " + text) in t for t in got.texts)


# ------------------------------------------------------------------ the terminal
TERMINAL_CONTROL = set(map(chr, [*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)]))


@FUZZ
@given(STUDENT_TEXT)
@example("\x1b[2J\x1b[H36 / 36 points\x1b]0;title\x07")
def test_terminal_text_carries_no_control_characters(text):
    """`grader grade`'s text table and grade-all's progress lines reach a terminal: a
    student's ESC sequence there could clear the screen and print a score of its own."""
    out = to_text(report_with(text))
    assert not TERMINAL_CONTROL & set(out) and "\r" not in out
    out.encode("utf-8")   # no lone surrogate either
    stream = io.StringIO()
    progress = Progress(1, stream=stream, tty=False, describe=lambda item: item)
    progress("s" + text)
    progress.note("failed: " + text)
    assert not TERMINAL_CONTROL & set(stream.getvalue())


# ------------------------------------------------------------------------ JUnit XML
@FUZZ
@given(STUDENT_TEXT)
def test_junit_is_valid_xml_whatever_the_student_text(text):
    xml = formats.to_junit(report_with(text))
    xml.encode("utf-8")   # no lone surrogate survives
    root = ET.fromstring(xml.split("\n", 1)[1])
    cases = root.find("testsuite").findall("testcase")
    assert [c.get("name") for c in cases] == ["values", "gradient", "minimize"]
    assert cases[2].find("error").text == escape.plain("err: " + text)


# ------------------------------------------------------------------------------ CSV
COURSE = load_course(ROOT / "course.yml")
@FUZZ
@given(STUDENT_TEXT)
def test_csv_cells_are_never_formulas(text):
    item = Item("s" + text if not text[:1].isspace() else text, "x", timestamp=text)
    out = gradebook.to_csv([Graded(item, report_with(text), crashed=True)], COURSE,
                           "hw1_autograd")
    out.encode("utf-8")
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == 2 and len(rows[1]) == len(rows[0])
    for value in rows[1]:
        assert not value.lstrip(" ").startswith(escape.FORMULA_STARTS), value


# ------------------------------------------------------------------- Gradescope JSON
@FUZZ
@given(STUDENT_TEXT)
def test_gradescope_json_is_text_only_and_valid(text):
    doc = formats.to_gradescope_json(report_with(text))
    doc.encode("utf-8")
    data = json.loads(doc)
    json.dumps(data, ensure_ascii=False).encode("utf-8")   # no lone surrogates inside
    assert data["output_format"] == data["test_output_format"] == "text"
    assert [t["output_format"] for t in data["tests"]] == ["text"] * 3
    assert data["tests"][2]["output"] == escape.plain("err: " + text)


# ------------------------------------------------ issue 17: the .md's plots are files
def test_markdown_plots_are_files_beside_the_page(tmp_path):
    plot = {"title": "convergence", "xlabel": "it", "ylabel": "f", "kind": "line",
            "series": [{"label": "yours", "x": [0, 1, 2], "y": [3.0, 2.0, 1.0]}]}
    g = Graded(Item("ann <1>", "x"), report_with("x"), plots=[plot, {"series": [{"x": [1]}]}])   # the second cannot be drawn
    write_feedback(tmp_path, [g])
    page = (tmp_path / "ann__1_.md").read_text()
    assert "data:" not in page and "](ann__1__files/plot-1.png)" in page
    png = tmp_path / "ann__1__files" / "plot-1.png"
    assert png.read_bytes().startswith(b"\x89PNG")
    assert not (tmp_path / "ann__1__files" / "plot-2.png").exists()   # not drawn: no link
    assert "plot-2" not in page
    assert "data:image/png;base64,iVBOR" in (tmp_path / "ann__1_.html").read_text()


@pytest.mark.parametrize("text", ["a\udcffb", "x\x00y", "\x1b[31mred"])
def test_every_feedback_file_can_be_written(tmp_path, text):
    write_feedback(tmp_path, [Graded(Item(text, "x"), report_with(text))])
    assert len(list(tmp_path.glob("*.md"))) == len(list(tmp_path.glob("*.html"))) == 1
