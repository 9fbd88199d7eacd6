"""grader.authoring."""
