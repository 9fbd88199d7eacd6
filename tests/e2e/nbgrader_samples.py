"""Student submissions made from a released notebook, as a student would edit it.

Each sample starts from nbgrader's release (or our student notebook) and fills
its solution cells: with the reference code, with the reference plus typical
mistakes, or not at all. Used by the nbgrader end-to-end test and to write
examples/submissions/. Every edit must apply: a reference that changed under
us fails loudly instead of silently producing a different sample.
"""
import copy

from grader.authoring.stubs import strip_markers

# (cell key, old text, new text, what a student got wrong)
PARTIAL_MISTAKES = [
    ("decaying-cosine", "return ag_np.exp(-x / 10.0) * ag_np.cos(x)",
     "return ag_np.exp(x / 10.0) * ag_np.cos(x)", "sign of the exponent"),
    ("trid-trid", "- ag_np.sum(x_D[1:] * x_D[:-1])",
     "+ ag_np.sum(x_D[1:] * x_D[:-1])", "coupling term added, not subtracted"),
    ("linreg-bias", "return np.hstack([x_ND, np.ones((x_ND.shape[0], 1))])",
     "return np.hstack([np.ones((x_ND.shape[0], 1)), x_ND])", "bias column first, not last"),
]

RAISING_PREFIX = ("%matplotlib inline\n"
                  "!echo installing nothing\n"
                  "import seaborn_that_is_not_installed  # raises before anything below is defined\n")


def solution_cells(nb):
    """{grade_id: cell} of the nbgrader solution cells."""
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def filled(release, source, mistakes=(), prefix_cells=None):
    """The release with every solution cell replaced by the reference code, then edited.

    Args: release: nbgrader's release notebook (stubs); source: the source
    notebook (markers); mistakes: [(grade_id prefix, old, new, why)];
    prefix_cells: {grade_id prefix: text put at the top of that cell}.
    """
    nb = copy.deepcopy(release)
    reference = {gid: strip_markers(c.source) for gid, c in solution_cells(source).items()}
    cells = solution_cells(nb)
    for gid, cell in cells.items():
        cell.source = reference[gid]
    for key, old, new, why in mistakes:
        cell = _cell(cells, key)
        if old not in cell.source:
            raise AssertionError(f"sample mistake '{why}': '{old}' is not in cell {key}")
        cell.source = cell.source.replace(old, new, 1)
    for key, text in (prefix_cells or {}).items():
        cell = _cell(cells, key)
        cell.source = text + cell.source
    return nb


def _cell(cells, key):
    matches = [c for gid, c in cells.items() if gid.startswith(key)]
    if len(matches) != 1:
        raise AssertionError(f"{len(matches)} solution cells match '{key}': {sorted(cells)}")
    return matches[0]


def hw1_samples(release, source):
    """{student: notebook}: reference, partial, untouched release, one that raises."""
    partial = filled(release, source, PARTIAL_MISTAKES)
    for cell in solution_cells(partial).values():  # and fit_nn is left undone
        if "def fit_nn" in cell.source:
            head, rest = cell.source.split("def fit_nn", 1)
            cell.source = head + "def fit_nn(x_ND, y_N):\n    raise NotImplementedError()\n"
    return {
        "reference": filled(release, source),
        "partial": partial,
        "untouched": copy.deepcopy(release),
        "raises": filled(release, source, prefix_cells={"linreg-bias": RAISING_PREFIX}),
    }
