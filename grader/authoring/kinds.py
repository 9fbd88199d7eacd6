"""`grader kinds`: every check kind, where it is defined, its params, and who uses it."""
import inspect
from pathlib import Path

from grader import PACKAGE_DIR
from grader.checks import registry


def kind_rows(course, assignments=None):
    """[{assignment, exercise, kind, where, params: [(name, type, default)], used_by}]."""
    rows = []
    for a in assignments or registry.assignments():
        uses = {}
        if a in course.spec.assignments:
            for c in course.checks_for(a):
                uses.setdefault((c.exercise, c.kind.name), []).append(
                    c.name + (" (hidden)" if c.hidden else ""))
        for (exercise, name), cls in registry.all_kinds(a).items():
            path = Path(inspect.getsourcefile(cls)).resolve()
            line = inspect.getsourcelines(cls)[1]
            params = [(f, _type_name(info.annotation), info.default)
                      for f, info in cls.Params.model_fields.items()]
            rows.append({"assignment": a, "exercise": exercise, "kind": name,
                         "where": f"{path.relative_to(PACKAGE_DIR.parent)}:{line}",
                         "doc": inspect.getdoc(cls) or "", "params": params,
                         "used_by": uses.get((exercise, name), [])})
    return rows


def _type_name(annotation):
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def format_kinds(rows):
    lines = []
    for r in rows:
        lines.append(f"{r['assignment']}.{r['exercise']}.{r['kind']}  ({r['where']})")
        if r["doc"]:
            lines.append("    " + r["doc"].splitlines()[0])
        for name, type_, default in r["params"]:
            lines.append(f"    {name}: {type_} = {default!r}")
        used = ", ".join(r["used_by"]) or "no check in course.yml"
        lines.append(f"    used by: {used}")
    return "\n".join(lines)
