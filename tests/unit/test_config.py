"""course.yml validation: errors name the file and the dotted key."""
import pytest
import yaml

from grader.config import YAML_LOADER, ConfigError, load_course

from tests.conftest import ROOT


def write_course(tmp_path, mutate):
    """course.yml changed by mutate(data) (libyaml both ways: the pure-Python safe loader
    and dumper cost ~0.2 s a call, and every test here calls this)."""
    data = yaml.load((ROOT / "course.yml").read_text(), Loader=YAML_LOADER)
    mutate(data)
    path = tmp_path / "course.yml"
    path.write_text(yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper)))
    return path


def checks(data, ex="trid"):
    return data["assignments"]["hw1_autograd"]["exercises"][ex]["checks"]


def test_real_course_loads(course):
    assert "hw1_autograd" in course.spec.assignments
    assert any(c.hidden for c in course.checks["hw1_autograd"])


def test_course_yml_is_parsed_by_libyaml_to_the_same_data():
    """libyaml's safe loader where PyYAML has it (seconds over a test run, ~0.1 s a
    command), and it reads course.yml exactly as the pure-Python safe loader does."""
    from grader import config
    text = (ROOT / "course.yml").read_text(encoding="utf-8")
    if yaml.__with_libyaml__:
        assert config.YAML_LOADER is yaml.CSafeLoader
    assert yaml.load(text, Loader=config.YAML_LOADER) == yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError):
        yaml.load("a: [unclosed", Loader=config.YAML_LOADER)


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: checks(d)[0].update(params={"rtol": "tight"}),
     "assignments.hw1_autograd.exercises.trid.checks[0].params.rtol"),
    (lambda d: checks(d)[0].update(params={"rtoll": 1e-3}),
     "checks[0].params.rtoll: Extra inputs are not permitted"),
    (lambda d: checks(d)[1].update(kind="nope"), "checks[1].kind: unknown check kind 'nope'"),
    (lambda d: checks(d)[1].update(points=-1), "points"),
    (lambda d: checks(d).append(dict(checks(d)[0])), "duplicate check name"),
    (lambda d: d["limits"].update(memory_mb="lots"), "limits.memory_mb"),
    (lambda d: d["assignments"]["hw1_autograd"]["exercises"]["trid"].pop("time_limit_s"),
     "time_limit_s"),
])
def test_errors_name_the_key(tmp_path, mutate, needle):
    with pytest.raises(ConfigError) as err:
        load_course(write_course(tmp_path, mutate))
    assert needle in str(err.value) and "course.yml" in str(err.value)


def test_tolerance_change_needs_no_code_change(tmp_path):
    def loosen(d):
        checks(d, "decaying_cosine")[0]["params"] = {"rtol": 0.5}
    course = load_course(write_course(tmp_path, loosen))
    check = course.checks_for("hw1_autograd", ["decaying_cosine"])[0]
    assert check.params.rtol == 0.5


def test_broken_yaml(tmp_path):
    path = tmp_path / "course.yml"
    path.write_text("course: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_course(path)


def test_hidden_feedback_policy_is_validated(tmp_path):
    with pytest.raises(ConfigError, match="feedback.hidden"):
        load_course(write_course(tmp_path, lambda d: d.update(feedback={"hidden": "all"})))
    course = load_course(write_course(tmp_path, lambda d: d.update(feedback={"hidden": "none"})))
    assert course.spec.feedback.hidden == "none"


def test_one_rule_for_the_course_file(tmp_path, monkeypatch):
    from grader.config import find_course_file
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (tmp_path / "course.yml").write_text("x")
    monkeypatch.delenv("GRADER_COURSE", raising=False)
    assert find_course_file(nested) == tmp_path / "course.yml"           # the nearest one
    monkeypatch.setenv("GRADER_COURSE", str(tmp_path / "env.yml"))
    assert find_course_file(nested) == tmp_path / "env.yml"               # then $GRADER_COURSE
    assert find_course_file(nested, given="given.yml").name == "given.yml"  # then --course


def test_release_copy_is_named_in_the_report_with_a_warning(tmp_path):
    from grader.judge.grade import zero_report
    path = write_course(tmp_path, lambda d: d.update(release="public"))
    course = load_course(path)
    official = zero_report(course, "hw1_autograd", "x")
    # Notes reach students: the course file by its name; the instructor's path stays in
    # the report's course_file (student views reduce it to the name too).
    assert "course file: course.yml" in official.notes and official.course_file == str(path)
    assert not any(str(tmp_path) in n for n in official.notes)
    assert any("release copy" in n for n in official.notes)
    selfcheck = zero_report(course, "hw1_autograd", "x", include_hidden=False)
    assert not any("release copy" in n for n in selfcheck.notes)


def test_input_caps_and_late_policy_are_validated(tmp_path):
    path = write_course(tmp_path, lambda d: d["limits"].update(zip_members=0))
    with pytest.raises(ConfigError, match="limits.zip_members"):
        load_course(path)
    path = write_course(tmp_path, lambda d: d.update(late={"per": "week"}))
    with pytest.raises(ConfigError, match="late.per"):
        load_course(path)


@pytest.mark.parametrize("ex, index, params, key", [
    ("trid", 0, {"rtol": -1e-10}, "checks[0].params.rtol"),
    ("trid", 4, {"tol": float("nan")}, "checks[4].params.tol"),
    ("trid", 4, {"tol": float("inf")}, "checks[4].params.tol"),
    ("nn_fit", 4, {"full_r2": -0.5}, "checks[4].params.full_r2"),
    ("nn_fit", 4, {"tiers": [[0.9, 0.5], [-0.1, 0.2]]}, "checks[4].params.tiers"),
    ("nn_fit", 4, {"max_parameters": -3}, "checks[4].params.max_parameters"),
    ("linreg_bias", 3, {"min_gradient_calls": -1}, "checks[3].params.min_gradient_calls"),
    ("decaying_cosine", 2, {"fd_atol": -1e-8}, "checks[2].params.fd_atol"),
])
def test_negative_or_non_finite_settings_are_rejected_naming_the_key(tmp_path, ex, index,
                                                                        params, key):
    with pytest.raises(ConfigError) as err:
        load_course(write_course(tmp_path, lambda d: checks(d, ex)[index].update(params=params)))
    assert f"exercises.{ex}.{key}" in str(err.value)
    assert "negative" in str(err.value) or "finite" in str(err.value)


def test_non_finite_limits_and_points_are_rejected(tmp_path):
    with pytest.raises(ConfigError, match="checks\\[0\\].points"):
        load_course(write_course(tmp_path, lambda d: checks(d)[0].update(points=float("inf"))))
    with pytest.raises(ConfigError, match="time_limit_s"):
        load_course(write_course(tmp_path, lambda d: d["assignments"]["hw1_autograd"]
                                 ["exercises"]["trid"].update(time_limit_s=float("nan"))))


def test_negative_values_that_are_not_limits_stay_allowed(tmp_path):
    course = load_course(write_course(tmp_path, lambda d: checks(d, "decaying_cosine")[3]
                                      ["params"].update(low=-50.0)))
    assert course.checks_for("hw1_autograd", ["decaying_cosine"])[3].params.low == -50.0
