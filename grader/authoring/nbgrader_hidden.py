"""nbgrader's autograde, without its false alarm on hidden tests. Imported only by the
nbgrader_config.py that `grader nbgrader init` writes (it needs nbgrader installed).

Our hidden checks go in nbgrader's documented way: `### BEGIN HIDDEN TESTS` /
`### END HIDDEN TESTS` inside an autograder test cell (authoring/notebooks.py),
stripped by `generate_assignment` and put back at `autograde`. But nbgrader stores
the cell's checksum in the gradebook BEFORE it strips the region, so an untouched
released cell never matches it: OverwriteCells warns "Attribute 'checksum' for
cell ... has changed!" once per hidden test cell per student, then restores the
gradebook's source, as it must (jupyter/nbgrader#1961). A warning on every
notebook hides the one that matters (a student who edited a test cell).

`RestoreHiddenTests` is OverwriteCells with one step first: a locked cell whose
source is exactly what generate_assignment released from its gradebook source
gets that source back, silently. Then nbgrader's own checks run unchanged, so a
cell the student did edit still gets its warning and is overwritten, and every
score is what nbgrader alone would give.
"""
from nbformat.notebooknode import NotebookNode
from nbgrader.api import MissingEntry
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells


class RestoreHiddenTests(OverwriteCells):
    """OverwriteCells that first puts back hidden-test regions the release removed."""

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                         self.assignment_id)
            except MissingEntry:
                source = None   # OverwriteCells reports it
            if (source is not None and source.locked and cell.source != source.source
                    and cell.source == self.released(source.source)):
                cell.source = source.source
        return super().preprocess_cell(cell, resources, cell_index)

    def released(self, text):
        """`text` as generate_assignment released it (nbgrader's ClearHiddenTests, with
        this course's configured delimiters); None when it has no hidden region."""
        cell = NotebookNode({"cell_type": "code", "source": text, "metadata": {}})
        clear = ClearHiddenTests(config=self.config)
        return cell.source if clear._remove_hidden_test_region(cell) else None


def sanitize_preprocessors():
    """nbgrader's Autograde.sanitize_preprocessors with OverwriteCells replaced."""
    default = Autograde.class_traits()["sanitize_preprocessors"].default()
    return [RestoreHiddenTests if p is OverwriteCells else p for p in default]
