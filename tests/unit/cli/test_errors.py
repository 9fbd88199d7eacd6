"""Every command of the CLI, driven with bad arguments: a message that names the problem,
never a traceback, and one exit-code convention (grader/cli/base.py).

The commands are enumerated from the click group, so a new command is covered as soon as
it exists: it needs a valid invocation in VALID (the test that checks VALID says so), and
every bad input below is derived from its parameters (paths that must exist, outputs,
assignments), not listed by hand.
"""
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.cli.base import EXIT_CODES, EXIT_INTERRUPTED, EXIT_USAGE, Output
from grader.files import OutputError, prepare_output
from tests.conftest import ROOT

COURSE = str(ROOT / "course.yml")
STUB = str(ROOT / "assignments" / "hw1_autograd")


def commands(group=cli, prefix=()):
    """(("grade",), command), (("nbgrader", "init"), command), ... of the whole CLI."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from commands(command, prefix + (name,))
        else:
            yield prefix + (name,), command


COMMANDS = dict(commands())


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Inputs the valid invocations need, and the bad ones."""
    tmp = tmp_path_factory.mktemp("cli")
    report = tmp / "report.json"
    report.write_text(json.dumps({"assignment": "hw1_autograd", "score": 0, "max_score": 1,
                                  "checks": []}))
    (tmp / "a_file").write_text("not a folder")
    (tmp / "a_folder").mkdir()
    (tmp / "bad_course.yml").write_text("course: {title: x}\nassignments: 7\n")
    (tmp / "not_a_report.json").write_text("[1, 2")
    from grader.bulk import store
    from grader.judge.results import Report
    db = store.open_db(tmp / "grades.sqlite")
    db.record("hw1_autograd", "amy", Report("hw1_autograd"), digest="d", code_version="c",
              course_digest="y")
    db.close()
    (tmp / "class" / "amy").mkdir(parents=True)
    (tmp / "class" / "amy" / "decaying_cosine.py").write_text("def decaying_cosine(x):\n"
                                                               "    return 0.0\n")
    return tmp


def valid(files):
    """{command path: {parameter name: value}}: an invocation that works (not run here)."""
    return {
        ("build",): {"check_only": True},
        ("check",): {"path": STUB, "assignment": "hw1_autograd"},
        ("classroom",): {"assignment": "hw1_autograd", "out": str(files / "new" / "cls")},
        ("grade",): {"path": STUB, "assignment": "hw1_autograd",
                     "out": str(files / "new" / "r.json")},
        ("grade-all",): {"folder": str(files / "class"), "assignment": "hw1_autograd",
                         "out": str(files / "new" / "g.csv"),
                         "feedback": str(files / "new" / "fb"),
                         "db_path": str(files / "new" / "g.sqlite")},
        ("gradescope",): {"assignment": "hw1_autograd", "out": str(files / "new" / "ag.zip")},
        ("kinds",): {"assignment": "hw1_autograd"},
        ("nbgrader", "init"): {"directory": str(files / "new" / "nb"),
                               "assignment": ["hw1_autograd"]},
        ("release",): {"assignment": "hw1_autograd", "out": str(files / "new" / "rel")},
        ("report",): {"report_json": str(files / "report.json"), "fmt": "json",
                      "out": str(files / "new" / "r.xml")},
        ("selftest",): {"assignment": ["hw1_autograd"]},
        ("mutation",): {"assignment": ["hw1_autograd"], "exercise": ["decaying_cosine"],
                        "sample": 1},
        ("history",): {"student": "amy", "assignment": "hw1_autograd",
                       "db_path": str(files / "grades.sqlite")},
        ("report-class",): {"assignment": "hw1_autograd", "db_path": str(files / "grades.sqlite"),
                            "out": str(files / "new" / "class.html")},
        ("export",): {"assignment": "hw1_autograd", "db_path": str(files / "grades.sqlite"),
                      "out": str(files / "new" / "canvas.csv")},
        ("similarity",): {"folder": str(files / "class"), "assignment": "hw1_autograd",
                          "out": str(files / "new" / "sim.html"),
                          "json_out": str(files / "new" / "sim.json")},
    }


def argv(path, values, course=COURSE):
    """The command line for `values` ({param name: value}), options as their first flag."""
    args = ["--course", course] if course else []
    args += list(path)
    command = COMMANDS[path]
    for param in command.params:
        if param.name not in values:
            continue
        value = values[param.name]
        if isinstance(param, click.Argument):
            args.append(str(value))
        elif param.is_flag:
            args += [param.opts[0]] if value else []
        else:
            for one in value if isinstance(value, list) else [value]:
                args += [param.opts[0], str(one)]
    return args


def invoke(args):
    result = CliRunner().invoke(cli, args, obj={})
    text = result.output + (result.stderr or "")
    assert "Traceback" not in text, text
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args}: {result.exception!r}\n{text}")
    assert result.exit_code in EXIT_CODES, (args, result.exit_code, text)
    return result.exit_code, text


def bad_inputs(path, files):
    """(why, argv, expected text) of every bad input a command's parameters allow."""
    good = valid(files)[path]
    yield "unknown option", [*argv(path, good), "--no-such-option"], "No such option"
    yield "invalid course.yml", argv(path, good, files / "bad_course.yml"), "bad_course.yml"
    yield "missing course.yml", argv(path, good, files / "nope.yml"), "does not exist"
    yield "course.yml is a folder", argv(path, good, files / "a_folder"), "is a directory"
    for param in COMMANDS[path].params:
        kind, name = param.type, param.name
        if name not in good:
            continue
        if name == "assignment":
            hw3 = ["hw3"] if isinstance(good[name], list) else "hw3"
            yield "unknown assignment", argv(path, {**good, name: hw3}), "hw3"
        if isinstance(kind, Output):
            under_a_file = files / "a_file" / "sub" / "x"
            yield (f"{name} under a file", argv(path, {**good, name: under_a_file}),
                   "a_file is a file")
            wrong = files / ("a_file" if kind.is_dir else "a_folder")
            yield f"{name} of the wrong kind", argv(path, {**good, name: wrong}), "a_"
        elif isinstance(kind, click.Path) and kind.exists:
            yield (f"{name} missing", argv(path, {**good, name: files / "no" / "such"}),
                   "does not exist")
            if not kind.dir_okay:
                yield f"{name} is a folder", argv(path, {**good, name: files / "a_folder"}), \
                    "is a directory"
            if not kind.file_okay:
                yield f"{name} is a file", argv(path, {**good, name: files / "a_file"}), \
                    "is a file"


def test_every_command_has_a_valid_invocation_to_vary(files):
    assert set(COMMANDS) <= set(valid(files)), "add the new command to valid()"


def test_every_path_parameter_is_an_input_that_must_exist_or_an_output():
    """Outputs go through base.Output (folders made before any work); inputs exist."""
    for path, command in COMMANDS.items():
        for param in [*command.params, *cli.params]:
            if isinstance(param.type, click.Path):
                assert isinstance(param.type, Output) or param.type.exists, (path, param.name)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_bad_inputs_get_a_message_and_exit_2(path, files):
    for why, args, expected in bad_inputs(path, files):
        code, text = invoke(args)
        assert code == EXIT_USAGE, (why, args, code, text)
        assert expected in text, (why, args, text)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_dash_h_is_help(path):
    code, text = invoke([*path, "-h"])
    assert code == 0 and "Usage:" in text and "--help" in text


def test_specific_bad_inputs(files):
    code, text = invoke(["report", str(files / "not_a_report.json")])
    assert code == EXIT_USAGE and "not a grader JSON report" in text
    code, text = invoke(["check", STUB, "-a", "hw1_autograd", "--exercise", "nope"])
    assert code == EXIT_USAGE and "unknown exercise" in text
    code, text = invoke(["no-such-command"])
    assert code == EXIT_USAGE and "No such command" in text


def test_an_internal_error_is_a_message_and_a_traceback_file(monkeypatch):
    import grader.authoring.kinds as kinds

    def boom(*args):
        raise RuntimeError("boom")
    monkeypatch.setattr(kinds, "kind_rows", boom)
    result = CliRunner().invoke(cli, ["kinds"], obj={})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "internal error of the grader (RuntimeError: boom)" in result.output
    saved = Path(result.output.split("traceback is in ")[1].split(";")[0])
    assert "Traceback" in saved.read_text() and "RuntimeError: boom" in saved.read_text()
    saved.unlink()
    debug = CliRunner().invoke(cli, ["--debug", "kinds"], obj={})
    assert isinstance(debug.exception, RuntimeError)


def test_ctrl_c_in_any_command_exits_130(monkeypatch):
    import grader.authoring.kinds as kinds

    def interrupted(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(kinds, "kind_rows", interrupted)
    code, text = invoke(["kinds"])
    assert code == EXIT_INTERRUPTED and "grader: interrupted" in text and "Aborted" not in text


def test_prepare_output_makes_folders_or_says_why(tmp_path):
    made = prepare_output(tmp_path / "a" / "b" / "grades.csv")
    assert made.parent.is_dir() and list(made.parent.iterdir()) == []  # no probe file left
    assert prepare_output(tmp_path / "c" / "feedback", is_dir=True).is_dir()
    (tmp_path / "f").write_text("x")
    for path, is_dir, says in [(tmp_path / "f" / "x.csv", False, "is a file, not a folder"),
                               (tmp_path / "f", True, "is a file"),
                               (tmp_path / "a", False, "is a folder")]:
        with pytest.raises(OutputError, match=says):
            prepare_output(path, is_dir)


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(p for p, c in COMMANDS.items()
                                        if any(isinstance(x.type, Output) for x in c.params)),
                         ids=" ".join)
def test_outputs_into_missing_folders_are_created(path, tmp_path, files):
    """Every output into a folder that does not exist: created before the work, and written."""
    values = {name: value.replace(str(files / "new"), str(tmp_path / "x" / "y"))
              if isinstance(value, str) else value for name, value in valid(files)[path].items()}
    code, text = invoke(argv(path, values))
    assert code == 0, text
    for param in COMMANDS[path].params:
        if isinstance(param.type, Output):
            assert Path(values[param.name]).exists(), (param.name, text)


@pytest.mark.slow
@pytest.mark.parametrize("args, says", [
    (["selftest", "-a", "hw3"], "no assignment 'hw3'"),
    (["nbgrader", "init", "{tmp}/nb", "-a", "hw3"], "no assignment 'hw3'"),
    (["grade", STUB, "--out", "{tmp}/a_file/r.json"], "is a file, not a folder"),
    (["grade-all", "{tmp}/class", "--out", "{tmp}/a_file/g.csv"], "is a file, not a folder"),
    (["grade", "-h"], "Usage:"),
])
def test_where_users_run_it(args, says, files):
    """The same, as a shell runs it: no traceback reaches the terminal."""
    args = [a.replace("{tmp}", str(files)) for a in args]
    proc = subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=120)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert says in proc.stdout + proc.stderr
    assert proc.returncode == (0 if "-h" in args else EXIT_USAGE)
