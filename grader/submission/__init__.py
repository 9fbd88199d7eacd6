"""grader.submission."""
