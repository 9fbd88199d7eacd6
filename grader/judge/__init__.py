"""grader.judge."""
