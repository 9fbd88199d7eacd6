"""grader.reports."""
