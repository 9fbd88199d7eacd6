"""grader/bulk/similarity.py and its page: the parts that need no class folder."""
from html.parser import HTMLParser
from types import SimpleNamespace

from grader.bulk import similarity as sim
from grader.reports import similarity as page

OWNERS = {"trid": "trid", "minimize_trid": "trid", "fit_nn": "nn_fit"}


def chunks(*codes):
    return [SimpleNamespace(code=c) for c in codes]


def test_helpers_follow_the_exercises_that_use_them_and_the_last_definition_wins():
    parts = sim.split_exercises(chunks(
        "def trid(x):\n    return 1\n\ndef helper(v):\n    return v\n",
        "def minimize_trid(x):\n    return helper(x)\n\ndef plot(h):\n    pass\n",
        "def trid(x):\n    return 2\n"), OWNERS)
    assert parts["trid"] == ["def minimize_trid(x):\n    return helper(x)",
                             "def trid(x):\n    return 2",
                             "def helper(v):\n    return v"]
    assert parts[sim.OTHER] == ["def plot(h):\n    pass"]


def test_code_that_does_not_parse_is_skipped_not_fatal():
    assert sim.split_exercises(chunks("def trid(:", "x = ((((("), OWNERS) == {}


CODE = """def fit_nn(x_ND, y_N):
    w_D = np.zeros(x_ND.shape[1])
    for step in range(100):
        grad_D = x_ND.T @ (x_ND @ w_D - y_N) / len(y_N)
        w_D = w_D - 0.1 * grad_D
    return w_D
"""
RENAMED = """def fit_nn(features, targets):
    # my weights
    weights = np.zeros(features.shape[1])
    for it in range(100):
        g = features.T @ (features @ weights - targets) / len(targets)   # gradient
        weights = weights - 0.1 * g
    return weights
"""
OTHER_CODE = """def fit_nn(x_ND, y_N):
    params = init_params(seed=0)
    opt = adam(loss_and_grad, params, num_iters=500, step_size=0.01)
    return opt.params if hasattr(opt, "params") else opt
"""


def student(name, source):
    return sim.Student(name, docs={"nn_fit": sim.Doc([sim.fingerprint(source)])})


def test_renaming_and_comments_do_not_hide_a_copy_and_other_code_scores_low():
    pairs, _common = sim.score_pairs([student("a", CODE), student("b", RENAMED),
                                      student("c", OTHER_CODE)])
    by = {(p["a"], p["b"]): p["score"] for p in pairs}
    assert by[("a", "b")] == 1.0
    assert by.get(("a", "c"), 0.0) < 0.2 and by.get(("b", "c"), 0.0) < 0.2


def test_reference_and_common_fingerprints_are_left_out():
    ref = sim.boilerplate_hashes([CODE])
    pairs, _ = sim.score_pairs([student("a", CODE), student("b", RENAMED)], reference=ref)
    assert not pairs  # all they share is the reference's code
    many = [student(f"s{i}", CODE) for i in range(5)]
    pairs, common = sim.score_pairs(many, share=0.05)  # cutoff 3: held by 5 is common
    assert not pairs and common
    assert sim.common_cutoff(1000) == 50 and sim.common_cutoff(10) == 3


def test_every_pair_lists_the_rest_at_zero_once():
    studs = [sim.Student(n) for n in "abcd"]
    scored = [{"a": "b", "b": "d", "score": 0.5, "max_exercise": 0.5, "exercises": {}}]
    every = list(sim.every_pair(studs, scored))
    assert len(every) == 6 and every[0] is scored[0]
    assert {(p["a"], p["b"]) for p in every[1:]} == {("a", "b"), ("a", "c"), ("a", "d"),
                                                     ("b", "c"), ("c", "d")}


def test_matching_slices_point_into_the_original_text():
    a, b = student("a", CODE), student("b", RENAMED)
    sa, sb = sim.matching_slices(a.docs["nn_fit"], b.docs["nn_fit"], "nn_fit", set())
    assert sa[0] and sb[0]
    marked = "".join(RENAMED[s:e] for s, e in zip(*sb))
    assert "weights" in marked and "features" in marked


def test_page_escapes_student_text_and_has_no_remote_resources():
    hostile = '<script>alert(1)</script><img src="http://x/y.png">'
    html = page.render("hw1", [{"a": hostile, "b": "b", "score": 0.9, "max_exercise": 0.9,
                               "exercises": {"trid": 0.9}}],
                       [{"a": hostile, "b": "b", "exercises": [{
                           "exercise": "trid", "score": 0.9, "a_source": hostile,
                           "a_slices": [[0], [8]], "b_source": "x", "b_slices": [[], []]}]}],
                       2, {hostile: hostile}, 3, {hostile: 0.7})
    tags = Tags()
    tags.feed(html)
    assert tags.names <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3",
                          "p", "table", "tr", "th", "td", "a", "span", "div", "b", "pre",
                          "mark", "ul", "li", "svg", "rect", "text"}, tags.names
    assert not [v for v in tags.values if "//" in v], tags.values  # nothing remote
    assert "<mark>&lt;script&gt;</mark>alert" in html  # [0, 8) of the source, escaped


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names, self.values = set(), []

    def handle_starttag(self, tag, attrs):
        self.names.add(tag)
        self.values += [v or "" for _k, v in attrs]
