"""grader.child."""
