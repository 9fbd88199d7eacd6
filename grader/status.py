"""The statuses a check can end with: the vocabulary shared by the child, the judge and reports."""
PASSED = "passed"            # full points
FAILED = "failed"            # the function ran; its answer is wrong (maybe partial points)
ERROR = "error"              # the student's code raised, or returned something unusable
TIMEOUT = "timeout"          # the check's CPU-time limit ran out
MISSING = "missing"          # a required name is not defined
NOT_ATTEMPTED = "not_attempted"  # the stub still raises NotImplementedError
INFRASTRUCTURE = "infrastructure"  # the grader or the machine failed: never the student's zero
STATUSES = (PASSED, FAILED, ERROR, TIMEOUT, MISSING, NOT_ATTEMPTED, INFRASTRUCTURE)
# What a child may report about a probe it ran (the rest are the parent's verdicts).
CHILD_STATUSES = (ERROR, MISSING, NOT_ATTEMPTED)

# How a status is shown: in a terminal table, in prose (feedback pages), in colour (HTML).
MARK = {PASSED: "ok", FAILED: "FAIL", ERROR: "ERROR", TIMEOUT: "TIMEOUT", MISSING: "MISSING",
        NOT_ATTEMPTED: "todo", INFRASTRUCTURE: "RETRY"}
WORD = {PASSED: "passed", FAILED: "failed", ERROR: "error", TIMEOUT: "timed out",
        MISSING: "missing", NOT_ATTEMPTED: "not attempted",
        INFRASTRUCTURE: "not graded (grader fault)"}
COLOUR = {PASSED: "#1a7f37", FAILED: "#cf222e", ERROR: "#cf222e", TIMEOUT: "#cf222e",
          MISSING: "#9a6700", NOT_ATTEMPTED: "#57606a", INFRASTRUCTURE: "#57606a"}


def points(x):
    """Points as people write them: 3, 2.5, 0.333333."""
    x = float(x)
    return str(int(x)) if x == int(x) else f"{x:g}"
