"""What full marks need, per exercise, written from course.yml for students to read.

Each check kind says in one sentence what it needs (`CheckKind.target(params)`,
thresholds and limits taken from its params); this module gathers the public
checks of an exercise and its time limit into a short list. `grader build` puts
that list wherever a solution file's docstring has the line

    {{ full_marks }}

(stubs and notebook code alike), and in a markdown cell before each exercise's
`check(...)` cell of the notebook, so the numbers students read are the ones the
grader uses: change course.yml, rebuild, and they follow (`make test` fails on
stale files).
"""
import re
import textwrap

PLACEHOLDER = re.compile(r"^([ \t]*)\{\{[ \t]*full_marks[ \t]*\}\}[ \t]*$", re.M)
WIDTH = 88


def exercise_targets(course, assignment, exercise):
    """[line] for students: one per public check with its points, then the time limit
    and what hidden checks hold."""
    spec = course.assignment(assignment).exercises[exercise]
    public = course.checks_for(assignment, [exercise], include_hidden=False)
    hidden = [c for c in course.checks_for(assignment, [exercise]) if c.hidden]
    lines = [f"{c.name} ({c.points:g} point{'' if c.points == 1 else 's'}): "
             f"{c.kind.target(c.params)}" for c in public]
    lines.append(time_limit_line(spec.time_limit_s, public))
    if hidden:
        points = sum(c.points for c in hidden)
        lines.append(f"hidden checks ({points:g} point{'' if points == 1 else 's'}) hold the same "
                     "standards on inputs you have not seen (other sizes, seeds and data).")
    return lines


def time_limit_line(default_s, public):
    """'time limit: 10 s per check (fit: 90 s).': the exercise's limit, then each public
    check with a limit of its own (hidden checks' limits are not for students)."""
    own = [f"{c.name}: {c.time_limit_s:g} s" for c in public if c.time_limit_s != default_s]
    return f"time limit: {default_s:g} s per check" + (f" ({', '.join(own)})." if own else ".")


def render(lines, indent="", width=WIDTH):
    """The list as text: a heading, then '- ' items wrapped at width."""
    out = [f"{indent}Full marks need (from course.yml):"]
    for line in lines:
        out += textwrap.wrap(line, width=width - len(indent), initial_indent=f"{indent}- ",
                             subsequent_indent=f"{indent}  ", break_on_hyphens=False)
    return "\n".join(out)


def expand(text, course, assignment, exercise):
    """text with every `{{ full_marks }}` line replaced by the exercise's targets."""
    if course is None or exercise not in course.assignment(assignment).exercises:
        return text
    lines = exercise_targets(course, assignment, exercise)
    return PLACEHOLDER.sub(lambda m: render(lines, m.group(1)), text)


def markdown(course, assignment, exercise):
    """The targets as a markdown cell's text."""
    items = "\n".join(f"- {line}" for line in exercise_targets(course, assignment, exercise))
    return f"**Full marks need** (from course.yml):\n\n{items}"
