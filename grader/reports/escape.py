"""Student text, made safe for the format it lands in: ONE helper per format, here.

Student-controlled strings reach every report: what the code printed, exception
text, file and cell names, notes, student ids (folder names) and messages that
quote the student's values. Each output format has exactly one way in for them:

    lossless(s)       valid Unicode that keeps distinct strings distinct: the bytes of
                      a name that is not UTF-8 (Python's lone surrogates) become \\xNN,
                      other lone surrogates \\udNNN; what the database stores
    plain(s)          every format, first: lossless(s) with NUL, ESC and the other
                      control characters as U+FFFD (no terminal escape sequences)
    md_block(s)       Markdown: a fenced block whose fence is longer than any run of
                      backticks inside, so nothing in it is markup (no links, images,
                      HTML, emphasis); md_inline(s) the same as a code span
    html_text(s)      HTML: html.escape of plain(s) (the pages load nothing remote)
    xml_text(s)       JUnit XML: plain(s) without the characters XML 1.0 forbids
    csv_cell(value)   CSV: not a spreadsheet formula (OWASP's CSV injection advice)
Gradescope's JSON gets plain(s) and `output_format: "text"`, so Gradescope shows
student text as text, never as HTML or Markdown.
"""
import html
import re

REPLACEMENT = "\ufffd"
# C0 controls but tab, newline and CR; DEL; C1 controls; the non-characters FFFE/FFFF
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_BACKTICKS = re.compile("`+")


def lossless(text):
    """`text` as a str of valid Unicode, distinct for distinct names: a folder whose
    name is not UTF-8 reaches Python as lone surrogates (surrogateescape); its bytes
    become `\\xNN` here, so two such students never collapse into one U+FFFD id. Any
    other lone surrogate (only a child's own text has them) becomes `\\udNNN`."""
    text = "" if text is None else str(text)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def plain(text):
    """`text` as lossless() Unicode in which control characters other than tab, newline
    and CR (NUL, ESC: a terminal escape sequence from a student's output) become
    U+FFFD; CR LF and lone CR become newlines (some readers take a CR as the end of a
    row or line)."""
    text = lossless(text)
    return _CONTROL.sub(REPLACEMENT, text.replace("\r\n", "\n").replace("\r", "\n"))


def _fence_for(text):
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def md_block(text, info="text"):
    """Markdown: `text` as a fenced code block (lines of its own); nothing in it is
    markup, whatever it holds (a longer fence inside would be needed to close it)."""
    text = plain(text)
    fence = _fence_for(text)
    return f"{fence}{info}\n{text}\n{fence}"


def md_inline(text):
    """Markdown: `text` as an inline code span (one line; newlines become spaces)."""
    text = plain(text).replace("\n", " ")
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    # CommonMark strips one space at each end when both are there: pad only when needed
    pad = " " if text[:1] in ("`", " ", "") or text[-1:] in ("`", " ") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def html_text(text):
    """HTML: text content or a quoted attribute value."""
    return html.escape(plain(text), quote=True)


def xml_text(text):
    """JUnit XML: text or attribute content that XML 1.0 allows (ElementTree escapes
    <, & and quotes; it does not drop characters that make the document invalid)."""
    return plain(text)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\n")   # after plain(): a CR is a newline


def csv_cell(value):
    """CSV: a cell a spreadsheet will not run as a formula. Text that starts with =, +, -,
    @, tab, CR or newline, also after leading spaces (some importers trim them), gets a
    leading apostrophe (OWASP's advice for CSV injection: student ids, names, timestamps
    and notes are the student's text), and line breaks become spaces (a stray CR splits
    the row in some readers). Our own numbers never start with a sign."""
    text = plain(value)   # CRs are newlines now
    text = "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text
    return text.replace("\n", " ")
