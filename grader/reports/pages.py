"""Per-student feedback pages: HTML (plots embedded as base64 PNG) and Markdown
(plots as PNG files beside it, `<student>_files/plot-1.png`, linked relatively:
GitHub and most LMSs do not show `data:` images in Markdown).

The plots are drawn here, in the trusted parent, from plain-data series
(plots.py) with matplotlib's Agg backend; nothing of the student's code
runs. Hidden checks show their points; their messages only if the course's
policy (`hidden_policy`: "message" | "score" | "none") allows it. Every
student-controlled string goes through reports/escape.py for its format: in
Markdown, messages, notes and printed output are fenced blocks, never markup.
"""
import base64
import io
from pathlib import Path
from urllib.parse import quote

from grader.status import WORD
from grader.reports.escape import html_text, md_block, md_inline, plain
from grader.reports.policy import shown, student_view, visible_message


def render_png(spec):
    """One plot spec -> PNG bytes (matplotlib Agg, small and fast)."""
    import matplotlib
    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure
    fig = Figure(figsize=(5.2, 3.4), dpi=90)
    ax = fig.add_subplot()
    for s in spec.get("series", []):
        xs = [x for x, y in zip(s["x"], s["y"]) if x is not None and y is not None]
        ys = [y for x, y in zip(s["x"], s["y"]) if x is not None and y is not None]
        if spec.get("kind") == "scatter" and not s.get("line"):
            ax.scatter(xs, ys, s=6, alpha=0.6, label=s.get("label"))
        else:
            ax.plot(xs, ys, marker="." if len(xs) < 60 and not s.get("line") else None,
                    label=s.get("label"), linestyle="--" if s.get("line") else "-",
                    color="gray" if s.get("line") else None)
    if spec.get("logy"):
        ax.set_yscale("symlog")
    ax.set_title(spec.get("title", ""), fontsize=9)
    ax.set_xlabel(spec.get("xlabel", ""))
    ax.set_ylabel(spec.get("ylabel", ""))
    ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _png_b64(spec):
    if "png_b64" in spec:
        return spec["png_b64"]
    try:
        return base64.b64encode(render_png(spec)).decode("ascii")
    except Exception:  # noqa: BLE001 - a plot that cannot be drawn is left out
        return None


def to_markdown(report, student="", plots=(), hidden_policy="score", plot_files=None):
    """The feedback page in Markdown. plot_files: the relative paths (one per plot spec,
    None for a plot that could not be drawn) of the PNG files write_feedback put beside
    the page; None: the plots are left out (Markdown renderers do not show data: URIs).
    Student text (messages, notes, printed output, the student's id) is fenced or a
    code span (escape.md_block, md_inline): it can never become markup here."""
    report = student_view(report, hidden_policy)
    lines = [f"# {plain(report.assignment)}: feedback"
             + (f" for {md_inline(student)}" if student else ""), "",
             f"**Score: {report.score:g} / {report.max_score:g}**", ""]
    for ex, (s, m) in report.by_exercise().items():
        lines += [f"## {plain(ex)}: {s:g} / {m:g}", "", "| check | points | status |",
                  "|---|---|---|"]
        msgs = []
        for c in shown(report, hidden_policy):
            if c.exercise != ex:
                continue
            # check names come from course.yml (the instructor's), not the student
            name = plain(c.name + (" (hidden)" if c.hidden else "")).replace("|", "\\|")
            status = WORD.get(c.status, c.status)
            lines.append(f"| {name} | {c.score:g}/{c.max_score:g} | {status} |")
            text = visible_message(c, hidden_policy)  # a pass has one only for its CPU
            if text:
                msgs += [f"**{plain(c.name)}**" + (" (hidden)" if c.hidden else "") + ":",
                         "", md_block(text), ""]
        lines += [""] + msgs
    if report.notes:
        lines += ["## Notes", "", md_block("\n".join(f"- {n}" for n in report.notes)), ""]
    links = [f for f in (plot_files or []) if f]
    if links:
        lines += ["## Plots", ""]
        for spec, link in zip(plots, plot_files):
            if link:
                alt = plain(spec.get("title", "plot")).replace("[", "(").replace("]", ")")
                lines += [f"![{alt}]({link})", ""]
    if report.printed().strip():
        lines += ["## What your code printed (first lines)", "",
                  md_block("\n".join(report.printed().strip().splitlines()[:30])), ""]
    return "\n".join(lines)


_CSS = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em"
        " .6em;text-align:left;vertical-align:top}.passed{color:#16702e}.failed,.error,.timeout,"
        ".missing{color:#b3261e}.not_attempted{color:#8a6d00}pre{background:#f6f6f6;padding:.6em;"
        "overflow:auto}img{max-width:100%}")


def to_html(report, student="", plots=(), hidden_policy="score"):
    report = student_view(report, hidden_policy)
    e = html_text
    title = f"{report.assignment}: feedback" + (f" for {student}" if student else "")
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body>", f"<h1>{e(title)}</h1>",
             f"<p><strong>Score: {report.score:g} / {report.max_score:g}</strong></p>"]
    for ex, (s, m) in report.by_exercise().items():
        parts.append(f"<h2>{e(ex)}: {s:g} / {m:g}</h2><table><tr><th>check</th><th>points</th>"
                     "<th>status</th><th>message</th></tr>")
        for c in shown(report, hidden_policy):
            if c.exercise != ex:
                continue
            name = c.name + (" (hidden)" if c.hidden else "")
            text = visible_message(c, hidden_policy)  # a pass has one only for its CPU
            parts.append(f"<tr><td>{e(name)}</td><td>{c.score:g}/{c.max_score:g}</td>"
                         f"<td class='{e(c.status)}'>{e(WORD.get(c.status, c.status))}</td>"
                         f"<td>{e(text)}</td></tr>")
        parts.append("</table>")
    if report.notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in report.notes)
                     + "</ul>")
    if plots:
        parts.append("<h2>Plots</h2>")
        for spec in plots:
            b64 = _png_b64(spec)
            if b64:
                parts.append(f"<figure><img alt='{e(spec.get('title', 'plot'))}' "
                             f"src='data:image/png;base64,{b64}'></figure>")
    if report.printed().strip():
        parts.append("<h2>What your code printed (first lines)</h2><pre>"
                     + e("\n".join(report.printed().strip().splitlines()[:30])) + "</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_feedback(folder, graded, hidden_policy="score", formats=("html", "md")):
    """feedback/<student>.html (plots embedded) and <student>.md with its plots in
    feedback/<student>_files/plot-<n>.png for each graded submission."""
    from grader.files import write_atomic
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for g in graded:
        plots = [dict(spec, png_b64=_png_b64(spec)) for spec in g.plots]  # draw each once
        safe = safe_name(g.item.student)
        if "html" in formats:
            write_atomic(folder / f"{safe}.html",
                         to_html(g.report, g.item.student, plots, hidden_policy))
        if "md" in formats:
            files = write_plot_files(folder, safe, plots)
            write_atomic(folder / f"{safe}.md",
                         to_markdown(g.report, g.item.student, plots, hidden_policy, files))


def safe_name(student):
    """A file name for a student's id (their folder name, the student's text)."""
    return "".join(ch if ch.isalnum() or ch in "-_.@" else "_" for ch in plain(student)) \
        .lstrip(".") or "_"


def write_plot_files(folder, safe, plots):
    """Write each drawn plot as `<safe>_files/plot-<n>.png` in `folder`; the links (relative
    to `folder`, URL-quoted) in the plots' order, None for a plot not drawn."""
    from grader.files import write_atomic
    links = []
    for n, spec in enumerate(plots, 1):
        if not spec.get("png_b64"):
            links.append(None)
            continue
        sub = Path(folder, f"{safe}_files")
        sub.mkdir(exist_ok=True)
        write_atomic(sub / f"plot-{n}.png", base64.b64decode(spec["png_b64"]))
        links.append(quote(f"{safe}_files/plot-{n}.png"))
    return links
