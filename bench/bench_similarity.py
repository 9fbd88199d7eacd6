"""Benchmark: `grader similarity` on synthetic classes of 100 and 1,000 hw1 submissions.

Each synthetic student takes, per exercise, one of the independent sources of
tests/similarity_corpus.py, renamed and re-commented (a seed of its own) with about one
numeric literal in five changed, so fingerprints are partly shared, as in a real class; one
student in twenty is a planted copy of another. Prints the wall time of each phase (read and
fingerprint, index and score, every pair as JSON, the HTML page), the per-student cost, the
ratio 1,000 / 100, and the median score of the planted copies. (Ranking is tested in
tests/e2e/test_similarity.py, not here: these synthetic students come from a few sources, so
many "independent" ones are near-copies of each other.)

    .venv/bin/python bench/bench_similarity.py [--sizes 100 1000]
"""
import argparse
import io
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.bulk import similarity as sim  # noqa: E402
from grader.config import load_course  # noqa: E402
from grader.reports import similarity as page  # noqa: E402
from tests import similarity_corpus as corpus  # noqa: E402


def perturb(source, rng):
    return re.sub(r"\b\d+\.\d+\b|\b\d+\b",
                  lambda m: str(rng.randint(2, 99)) if rng.random() < 0.2 else m.group(0),
                  source)


def synthetic_class(folder, n, required, seed=0):
    rng = random.Random(seed)
    by_ex = {}
    for files in corpus.independent_students().values():
        for name, text in files.items():
            by_ex.setdefault(name, []).append(text)
    students, planted = {}, []
    for i in range(n):
        name = f"s{i:04d}"
        if i % 20 == 19:
            twin = f"s{rng.randrange(i):04d}"
            students[name] = {f: corpus.rename_and_recomment(t, required, seed=i)
                              for f, t in students[twin].items()}
            planted.append(tuple(sorted((twin, name))))
            continue
        students[name] = {f: perturb(corpus.rename_and_recomment(rng.choice(texts), required,
                                                                 seed=i), rng)
                          for f, texts in by_ex.items()}
    corpus.write_class(folder, students)
    return planted


def run(n, course, required):
    with tempfile.TemporaryDirectory() as tmp:
        planted = synthetic_class(Path(tmp) / "class", n, required)
        t0 = time.perf_counter()
        owners = sim.exercise_owners(course.root, "hw1_autograd")
        stubs, reference = sim.course_sources(course.root, "hw1_autograd")
        students = sim.read_class(Path(tmp) / "class", "hw1_autograd", owners, stubs)
        t1 = time.perf_counter()
        pairs, common = sim.score_pairs(students, reference=reference)
        t2 = time.perf_counter()
        buf = io.StringIO()
        buf.write("[\n" + ",\n".join(json.dumps(p) for p in sim.every_pair(students, pairs))
                  + "\n]\n")
        t3 = time.perf_counter()
        page.render("hw1_autograd", pairs, sim.details(students, pairs, common), len(students),
                    {}, sim.common_cutoff(n), sim.reference_scores(students, reference))
        t4 = time.perf_counter()
    scores = {(p["a"], p["b"]): p["score"] for p in pairs}
    planted_scores = sorted(scores.get(pair, 0.0) for pair in planted)
    return {"read": t1 - t0, "score": t2 - t1, "json": t3 - t2, "page": t4 - t3,
            "total": t4 - t0, "json_mb": len(buf.getvalue()) / 1e6,
            "planted_median": planted_scores[len(planted_scores) // 2] if planted else 0.0,
            "sharing": len(pairs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    args = ap.parse_args()
    course = load_course(ROOT / "course.yml")
    required = set(sim.exercise_owners(course.root, "hw1_autograd"))
    results = {}
    for n in args.sizes:
        r = results[n] = run(n, course, required)
        print(f"{n:5d} students: total {r['total']:.1f} s (read+fingerprint {r['read']:.1f}, "
              f"index+score {r['score']:.2f}, JSON {r['json']:.1f} ({r['json_mb']:.1f} MB), "
              f"page {r['page']:.2f}); {1000 * r['read'] / n:.1f} ms per student; "
              f"{r['sharing']} pairs share code; median planted copy {r['planted_median']:.2f}")
    if len(results) > 1:
        lo, hi = min(results), max(results)
        print(f"ratio {hi} / {lo}: {results[hi]['total'] / results[lo]['total']:.1f}x "
              f"for {hi / lo:.0f}x the students")


if __name__ == "__main__":
    main()
