"""grader.bulk."""
