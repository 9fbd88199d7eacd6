"""The pytest door: `pytest --submission PATH --assignment A` grades one submission.

One test item per course.yml check of the assignment, and nothing else:

    hw1_autograd/trid::gd_iterates      markers: points(2), and `hidden` on hidden checks

The same engine as `grader grade` (judge.grade.Grading): cases are planned and
verdicts computed in this (the pytest) process; the submission runs in one
sandboxed child per session, restarted after a fault, under course.yml's
limits. A check that is not passed fails its item with the course's message
(expected, got, where, hint) instead of a traceback; partial credit is a
failure that states its score; the session ends with "hw1_autograd: 31 / 36
points". `-k`, `-m hidden`, `-x`, `--lf`, `-v`, `-q` and `--junitxml` work
(testcases carry the properties `score` and `points`); exit status is
pytest's (0 all passed, 1 some check not passed, 4 usage error, 5 nothing
selected).

Without --submission the plugin does nothing, so it can stay installed (entry
point `pytest11`) beside any test suite. With it, no test files are collected
and no conftest.py is imported: nothing but the checks runs in this process.
The path must be written `--submission=PATH`: pytest looks for its ini file
(which may add plugins and sys.path entries) beside every path it sees as a
positional argument while it starts, before this plugin is loaded.
"""
import json
import os
from types import SimpleNamespace

import pytest

from grader.config import ConfigError, find_course_file, load_course
from grader.execution.hiding import prepare_official
from grader.execution.sandbox import SandboxUnavailable
from grader.execution.session import session_factory
from grader.files import write_atomic
from grader.judge import results as R
from grader.judge.grade import open_grading
from grader.reports.policy import concealed, student_view, visible_message
from grader.status import WORD, points

HIDDEN_POLICIES = ("message", "score")


def pytest_addoption(parser):
    group = parser.getgroup("grader", "grading a submission with the course's checks")
    group.addoption("--submission", metavar="PATH",
                    help="Grade this submission (.py, folder, .ipynb, .zip): one test per check.")
    group.addoption("--assignment", metavar="A",
                    help="Assignment id in course.yml (inferred from the path if omitted).")
    group.addoption("--course", metavar="FILE",
                    help="course.yml (default: $GRADER_COURSE, else the nearest one above "
                         "the current folder).")
    group.addoption("--exercise", metavar="NAME", action="append", default=[],
                    help="Only this exercise's checks (repeatable).")
    group.addoption("--public-only", action="store_true",
                    help="Leave the hidden checks out (a student's self-check).")
    group.addoption("--hidden-feedback", choices=HIDDEN_POLICIES, default=None,
                    help="What the report shows of hidden checks: their message and output, "
                         "or only their score (default: course.yml feedback.hidden; 'none' "
                         "counts as 'score' here).")
    group.addoption("--require-sandbox", action="store_true",
                    help="Refuse to run the submission without the bubblewrap sandbox.")
    group.addoption("--allow-unsandboxed", action="store_true",
                    help="Grade even where student code would run as your own user (no "
                         "bubblewrap, no unprivileged uid): only for submissions you trust.")
    group.addoption("--grader-report", metavar="FILE",
                    help="Also write the grader's JSON report of the checks that ran "
                         "(convert it with `grader report FILE --format ...`).")


def pytest_addhooks(pluginmanager):
    pluginmanager.add_hookspecs(SimpleNamespace(
        pytest_grader_session_factory=pytest_grader_session_factory))


@pytest.hookspec(firstresult=True)
def pytest_grader_session_factory(config, course, assignment):
    """A session factory for judge.grade (callable(load_request) -> session), or None
    for the default (sandboxed fresh children, as `grader grade`). For a plugin that
    grades many submissions in one process, e.g. with a fork-server pool."""


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config):
    # A conftest.py beside the submission would run in this, the trusted, process.
    if early_config.known_args_namespace.submission:
        early_config.known_args_namespace.noconftest = True


SPLIT_SUBMISSION = (
    "write --submission=PATH, with '=': pytest reads its configuration (pytest.ini, "
    "pyproject.toml, setup.cfg and the plugins they name) from the folders of any path "
    "given as a separate argument before any plugin can stop it, so files in the submission "
    "could run in the grading process")


def pytest_configure(config):
    if not config.getoption("submission"):
        return
    if "--submission" in config.invocation_params.args:
        raise pytest.UsageError(SPLIT_SUBMISSION)
    config.addinivalue_line("markers", "points(n): what the check is worth (course.yml)")
    config.addinivalue_line("markers", "hidden: a hidden check (left out of the release)")
    config.args[:] = []  # only the checks: no test files, not even testpaths
    config.pluginmanager.register(GradingRun(config), "grader-grading-run")


class GradingRun:
    """One pytest session grading one submission (registered only with --submission)."""

    def __init__(self, config):
        self.config = config
        opt = config.getoption
        try:
            self.course = load_course(opt("course") or find_course_file())
            self.assignment = self.course.infer_assignment(opt("submission"), opt("assignment"))
            self.checks = self.course.checks_for(self.assignment, opt("exercise") or None,
                                                 include_hidden=not opt("public_only"))
        except ConfigError as err:
            raise pytest.UsageError(str(err)) from None
        hidden = opt("hidden_feedback") or self.course.spec.feedback.hidden
        self.policy = hidden if hidden in HIDDEN_POLICIES else "score"
        self.grading = None

    def pytest_report_header(self):
        return (f"grading {self.config.getoption('submission')} against {self.assignment} "
                f"({self.course.path})")

    def pytest_sessionstart(self, session):
        config = self.config
        factory = config.hook.pytest_grader_session_factory(
            config=config, course=self.course, assignment=self.assignment)
        if factory is None:
            try:
                factory = session_factory(self.course.spec.limits,
                                          require=config.getoption("require_sandbox"))
                if not config.getoption("public_only"):
                    # Official grading: the rule of `grader grade` (refuse to run student
                    # code as our own user unless allowed; in uid mode hide our files).
                    submission = os.path.abspath(config.getoption("submission"))
                    prepare_official(factory.sandbox, self.course.root,
                                     [submission, os.path.dirname(submission)],
                                     config.getoption("allow_unsandboxed"))
            except SandboxUnavailable as err:
                raise pytest.UsageError(str(err)) from None
        self.grading = open_grading(self.course, config.getoption("submission"),
                                    self.assignment, factory,
                                    official=not config.getoption("public_only"))

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector):
        # The session collects no files here (config.args is empty): it collects one
        # node per exercise instead, whose items are the checks, so -k, -m, --lf and
        # --collect-only treat them like any collected test.
        report = yield
        if isinstance(collector, pytest.Session) and report.passed:
            for exercise in dict.fromkeys(c.exercise for c in self.checks):
                name = f"{self.assignment}/{exercise}"
                report.result.append(ExerciseNode.from_parent(
                    collector, name=name, nodeid=name, run=self, exercise=exercise))
        return report

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        # Public checks first (stable): a child that saw hidden inputs serves no public
        # check, and nothing runs after the hidden ones (judge/grade.py).
        items.sort(key=lambda item: isinstance(item, CheckItem) and item.check.hidden)

    def pytest_terminal_summary(self, terminalreporter):
        report = self.grading.report if self.grading else None
        if not report or not report.checks:
            return
        ran = len(report.checks)
        tail = "" if ran == len(self.checks) else f" ({ran} of {len(self.checks)} checks ran)"
        terminalreporter.write_line(f"{self.assignment}: {points(report.score)} / "
                                    f"{points(report.max_score)} points{tail}", bold=True)
        for note in student_view(report, self.policy).notes:
            terminalreporter.write_line(f"note: {note}")

    def pytest_sessionfinish(self):
        if self.grading is None:
            return
        report = self.grading.close()
        out = self.config.getoption("grader_report")
        if out:
            write_atomic(out, json.dumps(report.to_dict(), indent=1) + "\n")

    def failure(self, result):
        """What a check that was not passed reports: its verdict and the course's message."""
        head = f"{WORD[result.status]}: {points(result.score)} / {points(result.max_score)} points"
        if 0 < result.score < result.max_score:
            head += " (partial credit)"
        message = visible_message(result, self.policy)
        return CheckFailure(head, message)


class ExerciseNode(pytest.Collector):
    """One exercise's checks (node id `assignment/exercise`), made from course.yml."""

    def __init__(self, *, run, exercise, **kwargs):
        super().__init__(**kwargs)
        self.run, self.exercise = run, exercise

    def collect(self):
        return [CheckItem.from_parent(self, name=c.name, check=c, run=self.run)
                for c in self.run.checks if c.exercise == self.exercise]


class CheckItem(pytest.Item):
    """One course.yml check. Running it grades that check in the session's child."""

    def __init__(self, *, check, run, **kwargs):
        super().__init__(**kwargs)
        self.check, self.run = check, run
        self.add_marker(pytest.mark.points(check.points))
        if check.hidden:
            self.add_marker(pytest.mark.hidden)

    def runtest(self):
        result = self.run.grading.run(self.check)
        self.user_properties += [("score", points(result.score)),
                                 ("points", points(result.max_score))]
        if result.output and (not concealed(result) or self.run.policy == "message"):
            self.add_report_section("call", "output of the submission", result.output)
        if result.status != R.PASSED:
            raise CheckNotPassed(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckNotPassed):
            return self.run.failure(excinfo.value.result)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.run.course.path, None, f"{self.check.exercise}: {self.check.name}"


class CheckNotPassed(Exception):
    """Raised by CheckItem.runtest; carries the CheckResult."""

    def __init__(self, result):
        super().__init__(result.message)
        self.result = result


class CheckFailure:
    """A failure report in the course's words (pytest calls toterminal; the short summary
    and JUnit read reprcrash.message)."""

    def __init__(self, head, message):
        self.head, self.message = head, message
        self.reprcrash = SimpleNamespace(message=f"{head}. {message}" if message else head)

    def toterminal(self, tw):
        tw.line(self.head, red=True, bold=True)
        if self.message:
            tw.line(self.message)

    def __str__(self):
        return self.head + ("\n" + self.message if self.message else "")
