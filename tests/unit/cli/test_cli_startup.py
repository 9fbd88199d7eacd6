"""Every `grader` command pays its module imports before it does anything: the command line
itself (`grader --help`, `report`, `build`, ...) imports neither numpy nor the judge nor the
sessions; a command that grades imports them when it runs (~0.15 s of CPU saved per run).
Nor does it read every installed package's entry points for pydantic plugins (~50 ms of CPU,
0.2 s of wall under load), unless the user's environment asks for them."""
import os
import subprocess
import sys

HEAVY = ("numpy", "grader.judge.grade", "grader.execution.session", "grader.bulk.cluster",
         "autograd", "torch", "IPython")


def test_the_command_line_imports_nothing_heavy(root):
    code = ("import sys, grader.cli; "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


def test_the_command_line_does_not_look_for_pydantic_plugins(root):
    code = ("import grader.cli, grader.config, pydantic.plugin._loader as loader; "
            "print(loader._plugins is None)")
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True"]


def test_grade_and_check_start_the_sandbox_probe_before_loading_the_course(root, monkeypatch):
    """The probe's jail (0.2-1 s of wall) starts while course.yml and the submission load."""
    import importlib
    from click.testing import CliRunner
    from grader.cli import cli
    from grader.execution import sandbox
    main = importlib.import_module("grader.cli.main")  # the module (grader.cli.main is main())
    order, load = [], main.load_course
    monkeypatch.setattr(sandbox, "probe_in_background", lambda quiet=False: order.append(
        ("probe", quiet)))
    monkeypatch.setattr(main, "load_course", lambda *a, **k: order.append("load") or load(
        *a, **k))
    stubs = root / "assignments" / "hw1_autograd"
    for command, quiet in (("check", True), ("grade", False)):
        order.clear()
        done = CliRunner().invoke(cli, ["--course", str(root / "course.yml"), command,
                                        str(stubs), "-a", "hw1_autograd"])
        assert done.exit_code == 0, done.output
        assert order[:2] == [("probe", quiet), "load"], command
