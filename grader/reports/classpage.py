"""The class report: one self-contained HTML page an instructor reads after grade-all.

Input is plain data from the results database (grader/bulk/store.py): each student's newest
grading and its checks, and each check's time limit. Sections: the score distribution (an
inline SVG histogram), each check's pass rate and most common failure messages, the
submissions not graded and why, late submissions, CPU time per check (median, p95) against its
limit, the slowest submissions. No script, no remote resource; every value html-escaped.
"""
import html
import statistics

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 8px;border-bottom:1px solid #ddd;
text-align:left;vertical-align:top}.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;height:10px;background:#41ab5d;vertical-align:middle}
.warn{color:#b03a2e}.muted{color:#777}svg text{font:10px system-ui,sans-serif}
"""


def _e(x):
    return html.escape(str(x))


def histogram(scores, max_score, bins=10, width=520, height=160):
    """Inline SVG: how many students scored in each tenth of max_score (one <rect> per bin)."""
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, int(bins * s / max_score)) if max_score else 0] += 1
    top = max(counts) or 1
    w = width / bins
    bars = []
    for i, c in enumerate(counts):
        h = (height - 30) * c / top
        bars.append(f'<rect class="bin" x="{i * w + 1:.1f}" y="{height - 18 - h:.1f}" '
                    f'width="{w - 2:.1f}" height="{h:.1f}" fill="#2c7fb8">'
                    f"<title>{i * 10}-{i * 10 + 10}%: {c}</title></rect>"
                    f'<text x="{i * w + w / 2:.1f}" y="{height - 22 - h:.1f}" '
                    f'text-anchor="middle">{c or ""}</text>'
                    f'<text x="{i * w + w / 2:.1f}" y="{height - 4}" text-anchor="middle">'
                    f"{i * 10}%</text>")
    return (f'<svg id="histogram" width="{width}" height="{height}" role="img" '
            f'aria-label="score distribution">{"".join(bars)}</svg>')


def render(assignment, gradings, check_stats, limits, top_slow=10):
    """The page. gradings: newest grading per student (dicts with student, score,
    max_score, status, seconds, submitted_at, late (bool), why); check_stats: per check of
    those gradings (ResultsDB.check_stats: exercise, name, n, passed, failures, cpu_median,
    cpu_p95 in CPU-s); limits: {exercise.name: CPU-s limit}."""
    graded = [g for g in gradings if g["status"] == "graded"]
    max_score = max((g["max_score"] for g in gradings), default=0)
    scores = [g["score"] for g in graded]
    head = (f"{len(gradings)} students; {len(graded)} graded"
            + (f", mean {statistics.mean(scores):.2f}, median {statistics.median(scores):g} of "
               f"{max_score:g}" if scores else ""))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Class report: {_e(assignment)}</title><style>{CSS}</style></head><body>
<h1>Class report: {_e(assignment)}</h1><p>{_e(head)}</p>
<h2>Score distribution</h2>{histogram(scores, max_score)}
<h2>Checks</h2>{_checks_table(check_stats, limits)}
<h2>Not graded</h2>{_not_graded(gradings)}
<h2>Late submissions</h2>{_late(gradings)}
<h2>Slowest submissions</h2>{_slowest(graded, top_slow)}
</body></html>"""


def _checks_table(stats, limits):
    rows = []
    for s in stats:
        check = f"{s['exercise']}.{s['name']}"
        limit_s = limits.get(check)
        rate = s["passed"] / s["n"] if s["n"] else 0
        fails = "<br>".join(f"{n}&times; {_e(m)}" for m, n in s["failures"]) or \
            '<span class="muted">none</span>'
        cpu = ("" if s["cpu_median"] is None else
               f'{s["cpu_median"]:.2f} / {s["cpu_p95"]:.2f}')
        limit = "" if limit_s is None else f'{limit_s:g}'
        warn = ' class="num warn"' if limit_s and s["cpu_p95"] and \
            s["cpu_p95"] > limit_s / 3 else ' class="num"'
        rows.append(f'<tr class="check"><td>{_e(check)}</td>'
                    f'<td class="num">{s["passed"]}/{s["n"]}</td>'
                    f'<td><span class="bar" style="width:{int(80 * rate)}px"></span></td>'
                    f"<td{warn}>{cpu}</td><td class=\"num\">{limit}</td><td>{fails}</td></tr>")
    return ("<table><tr><th>check</th><th>passed</th><th></th><th>CPU s median / p95</th>"
            "<th>limit</th><th>commonest failures</th></tr>" + "".join(rows) + "</table>")


def _not_graded(gradings):
    rows = [f"<tr><td>{_e(g['student'])}</td><td>{_e(g.get('why', ''))}</td></tr>"
            for g in gradings if g["status"] != "graded"]
    return "<table>" + "".join(rows) + "</table>" if rows else "<p>none</p>"


def _late(gradings):
    rows = [f"<tr><td>{_e(g['student'])}</td><td>{_e(g['submitted_at'])}</td></tr>"
            for g in gradings if g.get("late")]
    return "<table>" + "".join(rows) + "</table>" if rows else "<p>none</p>"


def _slowest(graded, top):
    rows = [f"<tr><td>{_e(g['student'])}</td><td class=\"num\">{g['seconds']:.1f} s</td></tr>"
            for g in sorted(graded, key=lambda g: -g["seconds"])[:top]]
    return "<table>" + "".join(rows) + "</table>" if rows else "<p>none</p>"
