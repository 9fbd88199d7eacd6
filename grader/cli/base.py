"""What every `grader` command shares: one exit-code convention, errors as short messages
(never a Python traceback for a user's mistake), and output paths made ready before any work.

Exit codes, the same for every command (README "Exit codes"):

    0    the command did its work (grading ran, whatever the score)
    1    it ran and found a failure (selftest cases not as expected, `build --check` found
         stale files), or could not run here (sandbox required but missing, unsandboxed
         grading refused), or an internal error of the grader (a short message and the
         file that holds the traceback)
    2    the command line or an input is wrong: unknown option, command, assignment or
         exercise; a missing or unreadable file; an invalid course.yml; an output that
         cannot be written
    3    `--fail-under SCORE` given and the score is below it (grading ran)
    130  interrupted (Ctrl-C)
"""
import os
import sys
import tempfile
import traceback

import click

from grader.config import ConfigError
from grader.files import OutputError, prepare_output
from grader.reports.formats import EXIT_FAIL_UNDER

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_CODES = (EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_FAIL_UNDER, EXIT_INTERRUPTED)


class UserError(click.ClickException):
    """A wrong input (not the command line's syntax): printed as `Error: ...`, exit 2."""
    exit_code = EXIT_USAGE


class Interrupted(click.ClickException):
    """Ctrl-C: a one-line message on stderr, exit 130."""
    exit_code = EXIT_INTERRUPTED

    def show(self, file=None):
        click.echo(f"grader: {self.message}", err=True)


class GraderGroup(click.Group):
    """The `grader` group: `-h` as `--help` everywhere, and every exception a command
    lets out turned into a message and an exit code of the convention above. A bug of
    ours gets a short message and the file holding its traceback (`--debug`: raised)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("context_settings", {}).setdefault("help_option_names",
                                                             ["-h", "--help"])
        super().__init__(*args, **kwargs)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise Interrupted("interrupted") from None
        except (ConfigError, OutputError) as err:
            raise UserError(str(err)) from None
        except OSError as err:
            if err.filename is None:
                raise internal_error(ctx, err) from None
            raise UserError(f"{err.filename}: {err.strerror or err}") from None
        except Exception as err:  # noqa: BLE001 - a bug of ours: a message, not a traceback
            raise internal_error(ctx, err) from None


def internal_error(ctx, err):
    """A ClickException (exit 1) for an unexpected exception, its traceback written to a
    file (or re-raised as is when --debug / GRADER_DEBUG=1 asked for it)."""
    if (ctx.find_root().obj or {}).get("debug"):
        raise err
    fd, path = tempfile.mkstemp(prefix="grader-error-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"grader {' '.join(sys.argv[1:])}\n\n")
        fh.write("".join(traceback.format_exception(err)))
    return click.ClickException(
        f"internal error of the grader ({type(err).__name__}: {err}). The full traceback "
        f"is in {path}; run with --debug to print it. Please report it.")


class Output(click.Path):
    """An output path option or argument: its folder is created, and proved writable,
    while the command line is parsed, so before any work (files.prepare_output);
    otherwise a usage error that names the path (exit 2)."""

    def __init__(self, is_dir=False):
        super().__init__(dir_okay=is_dir, file_okay=not is_dir)
        self.is_dir = is_dir

    def convert(self, value, param, ctx):
        value = super().convert(value, param, ctx)
        try:
            prepare_output(value, self.is_dir)
        except OutputError as err:
            self.fail(str(err), param, ctx)
        return value


OUTPUT_FILE, OUTPUT_DIR = Output(), Output(is_dir=True)


def check_assignments(course, names):
    """A usage error (exit 2) naming the first of `names` that course.yml does not know."""
    for name in names or ():
        try:
            course.assignment(name)
        except ConfigError as err:
            raise UserError(str(err)) from None
