"""grader.execution."""
