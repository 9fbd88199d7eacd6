"""The similarity report: one self-contained HTML page (no script, no remote resource).

Input is plain data from grader/bulk/similarity.py: the pairs (sorted, with per-exercise
scores) and, for the top pairs, each exercise's two original sources with the character
ranges they share. Every piece of student text goes through html.escape.
"""
import html

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}
.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;height:10px;background:#c0392b;vertical-align:middle}
.pair{margin:2em 0;border-top:2px solid #444}
.side{display:grid;grid-template-columns:1fr 1fr;gap:8px}
pre{background:#f7f7f7;padding:6px;overflow-x:auto;font-size:12px;margin:0}
mark{background:#f9d56e}
.hist rect{fill:#2c7fb8}
"""


def _bar(score, width=80):
    return f'<span class="bar" style="width:{int(round(score * width))}px"></span>'


def highlighted(source, slices):
    """`source` as escaped HTML with the [start, end) ranges of `slices` (2 x M) in <mark>."""
    out, at = [], 0
    for start, end in sorted(zip(slices[0], slices[1])) if len(slices) else []:
        start, end = max(int(start), at), min(int(end), len(source))
        if end <= start:
            continue
        out += [html.escape(source[at:start]), "<mark>", html.escape(source[start:end]),
                "</mark>"]
        at = end
    out.append(html.escape(source[at:]))
    return "".join(out)


def histogram_svg(scores, bins=20, width=420, height=110):
    """An inline SVG histogram of pair scores in [0, 1] (log-scaled counts)."""
    import math
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, int(s * bins))] += 1
    top = max((math.log10(c + 1) for c in counts), default=1) or 1
    w = width / bins
    rects = "".join(
        f'<rect x="{i * w:.1f}" y="{height - 15 - (math.log10(c + 1) / top) * (height - 20):.1f}" '
        f'width="{w - 1:.1f}" height="{(math.log10(c + 1) / top) * (height - 20):.1f}">'
        f"<title>{i / bins:.2f}-{(i + 1) / bins:.2f}: {c} pairs</title></rect>"
        for i, c in enumerate(counts))
    return (f'<svg class="hist" width="{width}" height="{height}" role="img" '
            f'aria-label="pair scores">{rects}'
            f'<text x="0" y="{height - 2}" font-size="10">0</text>'
            f'<text x="{width - 10}" y="{height - 2}" font-size="10">1</text></svg>')


def render(assignment, pairs, details, n_students, problems, common_cutoff, near_reference=None):
    """The report page. pairs: every pair (sorted); details: for the top pairs,
    {"a", "b", "exercises": [{"exercise", "score", "a_source", "a_slices", "b_source",
    "b_slices"}]}; problems: {student: why nothing was read}."""
    e = html.escape
    exercises = sorted({ex for p in pairs for ex in p["exercises"]})
    head = "".join(f"<th>{e(ex)}</th>" for ex in exercises)
    rows = "".join(
        f'<tr><td><a href="#pair-{n}">{e(d["a"])} &amp; {e(d["b"])}</a></td>'
        f'<td class="num">{p["score"]:.2f}</td><td>{_bar(p["score"])}</td>'
        + "".join(f'<td class="num">{p["exercises"].get(ex, 0):.2f}</td>' for ex in exercises)
        + "</tr>" for n, (p, d) in enumerate(zip(pairs, details)))
    sections = "".join(_section(n, d) for n, d in enumerate(details))
    closest = sorted((near_reference or {}).items(), key=lambda t: -t[1])[:15]
    ref_rows = "".join(f'<tr><td>{e(s)}</td><td class="num">{v:.2f}</td><td>{_bar(v)}</td></tr>'
                       for s, v in closest if v > 0)
    unread = "".join(f"<li>{e(s)}: {e(why)}</li>" for s, why in sorted(problems.items()))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Similarity: {e(assignment)}</title><style>{CSS}</style></head><body>
<h1>Similarity report: {e(assignment)}</h1>
<p>{n_students} students, {n_students * (n_students - 1) // 2} pairs ({len(pairs)} share code). Scores are Dice coefficients of winnowed
fingerprints of normalised code (identifiers, comments, docstrings and layout do not count),
per exercise and overall; the release's stubs, the reference solution and code held by more
than {common_cutoff} students are left out. A high score is a reason to look, not a verdict.</p>
<h2>Pairs that share code</h2>{histogram_svg([p["score"] for p in pairs])}
<h2>Top pairs</h2><table><tr><th>pair</th><th>overall</th><th></th>{head}</tr>{rows}</table>
{f"<h2>Closest to the reference solution</h2><p>Share of each student's fingerprints found in the reference (left out of the pair scores above; short exercises match it by necessity).</p><table>{ref_rows}</table>" if ref_rows else ""}
{f"<h2>Not compared</h2><ul>{unread}</ul>" if unread else ""}
{sections}</body></html>"""


def _section(n, detail):
    e = html.escape
    parts = []
    for ex in detail["exercises"]:
        parts.append(
            f'<h3>{e(ex["exercise"])}: {ex["score"]:.2f}</h3><div class="side">'
            f'<pre>{highlighted(ex["a_source"], ex["a_slices"])}</pre>'
            f'<pre>{highlighted(ex["b_source"], ex["b_slices"])}</pre></div>')
    return (f'<div class="pair" id="pair-{n}"><h2>{e(detail["a"])} &amp; {e(detail["b"])}</h2>'
            f'<div class="side"><b>{e(detail["a"])}</b><b>{e(detail["b"])}</b></div>'
            + "".join(parts) + "</div>")
