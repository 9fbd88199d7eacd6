"""Copied work in a class: `grader similarity FOLDER -a A`.

The data path:

    class folder --find_submissions--> Items (students named as grade-all names them)
        --load_submission (the one rule of what is graded)--> code chunks
        --split_exercises--> {exercise: source of its functions (+ helpers they call)}
        --fingerprint--> winnowed k-gram hashes of the normalised token stream
        --index (hash -> students), boilerplate and common hashes dropped--> pair scores

Normalisation and fingerprints are copydetect's (a maintained implementation of MOSS's
winnowing, Schleimer, Wilkerson and Aiken, SIGMOD 2003): pygments tokens with every
identifier replaced by one letter (V variable, F function, O class), strings by S, comments
and white space dropped. So renaming, re-commenting, new docstrings and reformatting change
nothing; reordering functions changes nothing either, since a document is a SET of
fingerprints and exercises are compared separately. What we add is what a generic tool
cannot know: which code is graded (notebook or .py, by the grader's rule), which function
belongs to which exercise, and which text every student got (the release's stubs and the
reference's shape) or writes by necessity (a fingerprint held by many students).

Scores: per exercise, Dice's coefficient of the two fingerprint sets after the boilerplate
and common fingerprints are removed, 2|A n B| / (|A| + |B|), in [0, 1]; overall, the same over
all exercises together (so an exercise with more code weighs more), and `max_exercise`, the
largest per-exercise score (a student who copied one exercise of four stands out there).
Pairs are found through an inverted index (hash -> students), so a class of n costs about
n * fingerprints, not n^2 comparisons; pairs that share nothing score 0 without a comparison.
"""
import ast
import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from grader.bulk.gradeall import find_submissions
from grader.submission.load import SubmissionError
from grader.submission.locate import load_submission

K = 25          # characters of normalised code per k-gram (copydetect's noise threshold)
WINDOW = 4      # winnowing window: every match of K + WINDOW - 1 characters is found
OTHER = "(other)"  # code of no exercise (plot helpers...): shown, never in a score
SEPARATOR = "\n\n"


def _copydetect():
    try:
        from copydetect import utils
    except ImportError as err:  # an optional extra: say how to get it
        raise RuntimeError("grader similarity needs copydetect: pip install copydetect==0.5.0 "
                           "(it is in requirements.lock and the 'similarity' extra)") from err
    return utils


@dataclass
class Segment:
    """One definition's source, normalised and fingerprinted on its own (so no k-gram spans
    two definitions: the order of functions, and the stubs' helpers between them, change
    nothing).

    raw: the original source; filtered: copydetect's normalised text; offsets: (N, 2) map
    filtered index -> characters removed before it; hashes: {hash: [positions in filtered]}
    after boilerplate."""
    raw: str
    filtered: str = ""
    offsets: object = None
    hashes: dict = field(default_factory=dict)


@dataclass
class Doc:
    """One student's code for one exercise: its definitions, in file order."""
    segments: list = field(default_factory=list)

    @property
    def raw(self):
        return SEPARATOR.join(seg.raw for seg in self.segments)

    @property
    def hashes(self):
        return {h for seg in self.segments for h in seg.hashes}


@dataclass
class Student:
    name: str
    files: list = field(default_factory=list)
    docs: dict = field(default_factory=dict)   # exercise -> Doc
    problem: str = ""                          # why nothing could be read, or ''


# ------------------------------------------------------------------ what belongs where
def exercise_owners(root, assignment):
    """{function name: exercise} from the release's stubs, assignments/<a>/<exercise>.py."""
    owners = {}
    for stub in sorted((Path(root) / "assignments" / assignment).glob("*.py")):
        try:
            tree = ast.parse(stub.read_text(encoding="utf-8"))
        except (SyntaxError, OSError, UnicodeDecodeError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                owners[node.name] = stub.stem
    return owners


def _definitions(code):
    """[(name, source, names it uses)] of the top-level defs/classes in one chunk of code."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    out = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            used |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            out.append((node.name, ast.get_source_segment(code, node) or "", used))
    return out


def split_exercises(chunks, owners):
    """{exercise: [source of each definition]} of one submission's code chunks.

    A function the stubs name goes to its exercise; a helper of the student's own goes to
    every exercise whose functions use it (so moving a helper between files or renaming it
    changes nothing), else to OTHER. A name defined twice (a notebook cell re-run with
    changes, a .py pasted into a notebook beside the original) counts once: the last one,
    as Python would run it."""
    defs = {}
    for chunk in chunks:
        for name, source, used in _definitions(chunk.code):
            defs.pop(name, None)
            defs[name] = (source, used)
    parts = defaultdict(list)
    helpers = {}
    for name, (source, used) in defs.items():
        if name in owners:
            parts[owners[name]].append(source)
        else:
            helpers[name] = source
    for name, source in helpers.items():
        users = {owners[f] for f, (_s, used) in defs.items() if f in owners and name in used}
        for exercise in sorted(users) or [OTHER]:
            parts[exercise].append(source)
    return dict(parts)


# ------------------------------------------------------------------ fingerprints
def fingerprint(raw, boilerplate=frozenset(), k=K, window=WINDOW):
    """A Segment of one definition's `raw` source: normalised, winnowed, boilerplate hashes
    removed."""
    cd = _copydetect()
    filtered, offsets = cd.filter_code(raw, "code.py", "python")
    seg = Segment(raw=raw, filtered=filtered, offsets=offsets)
    if len(filtered) < k:
        return seg
    hashes = cd.hashed_kgrams(filtered, k)
    selected, idx = cd.winnow(hashes, window, remove_duplicates=False)
    for h, i in zip(selected.tolist(), idx.tolist()):
        if h not in boilerplate:
            seg.hashes.setdefault(h, []).append(i)
    return seg


def boilerplate_hashes(texts, k=K):
    """Every k-gram hash (no winnowing: all of them) of each definition in the sources."""
    cd = _copydetect()
    out = set()
    for text in texts:
        for _name, source, _used in _definitions(text) or [("", text, ())]:
            filtered, _ = cd.filter_code(source, "code.py", "python")
            if len(filtered) >= k:
                out.update(cd.hashed_kgrams(filtered, k).tolist())
    return out


def course_sources(root, assignment):
    """(stubs, reference): the hashes of what every student got (the release's stub files
    and the notebook's given code) and of the reference solution (solutions/<a>/*.py)."""
    root = Path(root)
    stubs = _texts((root / "assignments" / assignment).glob("*.py"))
    for nb in sorted((root / "assignments" / assignment).glob("*.ipynb")):
        try:
            sub = load_submission(nb)
        except SubmissionError:
            continue
        stubs += [c.code for c in sub.chunks]
        sub.close()
    reference = _texts((root / "solutions" / assignment).glob("*.py"))
    return boilerplate_hashes(stubs), boilerplate_hashes(reference)


def _texts(paths):
    out = []
    for path in sorted(paths):
        try:
            out.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
    return out


# ------------------------------------------------------------------ a class
def read_class(folder, assignment, owners, boilerplate, progress=None):
    """[Student] of a class folder (grade-all's layouts and names), fingerprinted per exercise."""
    students = []
    for item in find_submissions(folder, assignment):
        student = Student(item.student)
        if item.problem:
            student.problem = item.problem
        else:
            try:
                sub = load_submission(item.path, assignment=assignment)
            except SubmissionError as err:
                student.problem = str(err)
            else:
                student.files = list(sub.files)
                for ex, sources in split_exercises(sub.chunks, owners).items():
                    student.docs[ex] = Doc([fingerprint(raw, boilerplate) for raw in sources])
                sub.close()
        students.append(student)
        if progress:
            progress(student)
    return students


def common_cutoff(n_students, share=0.05, floor=3):
    """A fingerprint held by more than this many students is common code, not copying
    (MOSS's -m): 5% of the class, at least 3 (so a pair or a trio of copies still counts)."""
    return max(floor, math.ceil(share * n_students))


def score_pairs(students, share=0.05, reference=frozenset()):
    """(pairs, common): the pairs of students that share a fingerprint, as {"a", "b",
    "score", "max_exercise", "exercises": {ex: score}}, sorted by score (then max_exercise)
    descending (every_pair adds the rest, at 0); common: the (exercise, hash) keys left out.

    Fingerprints of the reference solution (`reference`) and those held by more than
    common_cutoff students are left out: they are what correct solutions share by necessity
    (and copying the reference itself is `reference_scores`' question)."""
    cutoff = common_cutoff(len(students), share)
    index = defaultdict(set)              # (exercise, hash) -> student positions
    for i, s in enumerate(students):
        for ex, doc in s.docs.items():
            for h in doc.hashes:
                index[ex, h].add(i)
    common = {key for key, held in index.items() if len(held) > cutoff or key[1] in reference}
    sizes = [{ex: sum(1 for h in doc.hashes if (ex, h) not in common)
              for ex, doc in s.docs.items()} for s in students]
    shared = defaultdict(lambda: defaultdict(int))   # (i, j) -> exercise -> shared count
    for key, held in index.items():
        if 1 < len(held) and key not in common:
            for i, j in combinations(sorted(held), 2):
                shared[i, j][key[0]] += 1
    pairs = [_pair(students, sizes, i, j, counts) for (i, j), counts in shared.items()]
    pairs.sort(key=lambda p: (-p["score"], -p["max_exercise"], p["a"], p["b"]))
    return pairs, common


def every_pair(students, scored):
    """`scored` (the pairs that share something, sorted), then every other pair of
    `students` with score 0 and no exercise scores, in name order: the whole list, made
    lazily (a class of 1,000 has 499,500 pairs)."""
    yield from scored
    seen = {(p["a"], p["b"]) for p in scored}
    names = sorted(s.name for s in students)
    for a, b in combinations(names, 2):
        if (a, b) not in seen and (b, a) not in seen:
            yield {"a": a, "b": b, "score": 0.0, "max_exercise": 0.0, "exercises": {}}


def _pair(students, sizes, i, j, shared):
    """One pair's scores from the counts of shared fingerprints (Dice, per exercise)."""
    exercises, total_shared, total_size = {}, 0, 0
    for ex in sorted(set(sizes[i]) | set(sizes[j])):
        n = sizes[i].get(ex, 0) + sizes[j].get(ex, 0)
        both = shared.get(ex, 0)
        exercises[ex] = round(2 * both / n, 4) if n else 0.0
        if ex != OTHER:
            total_shared, total_size = total_shared + both, total_size + n
    return {"a": students[i].name, "b": students[j].name,
            "score": round(2 * total_shared / total_size, 4) if total_size else 0.0,
            "max_exercise": max((v for ex, v in exercises.items() if ex != OTHER), default=0.0),
            "exercises": exercises}


def matching_slices(doc_a, doc_b, ex, common, k=K):
    """(slices_a, slices_b): [[starts], [ends]] character ranges of each doc's `raw` (its
    definitions joined by SEPARATOR) that the two docs share, common fingerprints left out."""
    keep = {h for h in doc_a.hashes & doc_b.hashes if (ex, h) not in common}
    return _slices(doc_a, keep, k), _slices(doc_b, keep, k)


def _slices(doc, keep, k):
    import numpy as np
    cd = _copydetect()
    starts, ends, base = [], [], 0
    for seg in doc.segments:
        idx = np.array(sorted(i for h in keep for i in seg.hashes.get(h, ())), dtype=int)
        if len(idx):
            sl = cd.get_copied_slices(idx, k)
            if len(seg.offsets):  # filtered positions -> the original text's
                off = seg.offsets
                sl = sl + off[:, 1][np.clip(np.searchsorted(off[:, 0], sl), 0, off.shape[0] - 1)]
            starts += (sl[0] + base).astype(int).tolist()
            ends += (np.minimum(sl[1], len(seg.raw)) + base).astype(int).tolist()
        base += len(seg.raw) + len(SEPARATOR)
    return [starts, ends]


def reference_scores(students, reference):
    """{student: share of their fingerprints (outside OTHER) that the reference solution
    has}, in [0, 1]: code copied from a leaked reference, which pair scores leave out."""
    out = {}
    for s in students:
        held = [h for ex, doc in s.docs.items() if ex != OTHER for h in doc.hashes]
        out[s.name] = round(sum(h in reference for h in held) / len(held), 4) if held else 0.0
    return out


def analyse(folder, course, assignment, share=0.05, progress=None):
    """(students, pairs, common, reference scores) for a class folder, no output."""
    owners = exercise_owners(course.root, assignment)
    stubs, reference = course_sources(course.root, assignment)
    students = read_class(folder, assignment, owners, stubs, progress)
    pairs, common = score_pairs(students, share, reference)
    return students, pairs, common, reference_scores(students, reference)


def details(students, pairs, common, top=25, min_score=0.0):
    """Plain data for the report's side-by-side view of the `top` pairs: per exercise they
    share anything in, both original sources and the character ranges that match."""
    by_name = {s.name: s for s in students}
    out = []
    for p in pairs[:top]:
        if p["score"] <= min_score and p["max_exercise"] <= min_score:
            break
        a, b = by_name[p["a"]], by_name[p["b"]]
        shown = []
        for ex, score in sorted(p["exercises"].items(), key=lambda t: -t[1]):
            if score <= 0 or ex not in a.docs or ex not in b.docs:
                continue
            sa, sb = matching_slices(a.docs[ex], b.docs[ex], ex, common)
            shown.append({"exercise": ex, "score": score,
                          "a_source": a.docs[ex].raw, "a_slices": sa,
                          "b_source": b.docs[ex].raw, "b_slices": sb})
        out.append({"a": p["a"], "b": p["b"], "exercises": shown})
    return out
