"""Shared fixtures: the course repository root and its validated course.yml."""
from pathlib import Path

import pytest

from grader.config import load_course

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def course():
    return load_course(ROOT / "course.yml")


# `pytester` runs pytest in-process on a scratch folder (tests/unit/test_pytest_plugin.py).
pytest_plugins = ["pytester"]


def pytest_addoption(parser):
    parser.addoption("--two-doors", choices=("sample", "all"), default="sample",
                     help="tests/e2e/test_selftest.py: grade a sample (default) or every "
                          "selftest case through pytest --submission as well")
