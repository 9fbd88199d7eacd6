"""Autograder for a course on gradient descent, autograd and SGD.

Official grading runs each submission in a child process (grader.isolation)
and judges plain data in the parent (grader.grading); see README.md.
"""
__version__ = "0.1.0"
