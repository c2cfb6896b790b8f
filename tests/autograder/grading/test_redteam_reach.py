"""Red team, reach: nothing a graded kernel can reach answers an exercise, and one notebook's
kernel cannot change what the grader keeps for the next.

One real ``ann-course grade`` run (real nbgrader, real kernels in their sandboxes, one worker so
that the order is known) of six lessons: the neuron (whose kernel has ann_lib.activations, the
module of its own answer ``step``, withheld there) and five with a hard exercise each (backprop, a
training loop, an optimizer step, multi-class training on ann_lib.deep, whose own module holds the
softmax the lesson withholds, and the capstone), each handed in by:

* ``hunter``: the blank release plus one cell that searches every module in ``sys.modules``, every
  object of ``gc.get_objects()`` and every course file on the kernel's filesystem for a function
  that returns the expected values on each exercise's cases, and uses what it finds as the answer.
  It scores 0. The very same cell, run where the whole library is in reach (a learner's own
  Python), finds an answer to every exercise: the hunt is real;
* ``a_mutator`` (graded first): the complete answers, each wrapped so that it changes every
  argument it is given after computing its result;
* ``honest`` (graded after both, by the same worker): the complete answers: full marks.
"""

from __future__ import annotations

import inspect
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from autograder import notebooks
from autograder.checks import plain
from autograder.checks.core import Exercise, Property
from autograder.grading.grade import grade
from autograder.lessons import checks_module, module_name
from autograder.limits import Limits
from autograder.release.sample_class import submission
from autograder.sandbox import bubblewrap as sandbox
from autograder.settings import REPO


def _capstone():
    return next(p.name for p in sorted((REPO / "solutions").iterdir())
                if p.is_dir() and p.name.partition("_")[2] == "capstone")


LESSONS = ("01_neuron", "06_backprop", "07_gradient_descent", "09_optimizers", "10_multiclass", _capstone())

HUNTER = r'''
import gc, inspect, os, signal, sys, types
import numpy as np
from autograder.checks import plain as _plain

_CASES = _plain.decode(__CASES__, extras=("ref", "rng"))
_THIRD_PARTY = ("numpy", "matplotlib", "IPython", "ipykernel", "ipywidgets", "sklearn", "scipy",
                "pandas", "joblib", "PIL", "jupyter", "zmq", "tornado", "traitlets", "comm",
                "nbgrader", "nbconvert", "nbformat", "nbclient", "jupyterlab", "notebook",
                "playwright", "dask", "distributed", "hypothesis", "sqlalchemy", "babel")

def _same(a, b):
    if isinstance(b, (tuple, list)):
        return isinstance(a, (tuple, list)) and len(a) == len(b) and all(map(_same, a, b))
    try:
        return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))
    except Exception:
        return False

def _from_files():
    found = []
    roots = {p for p in sys.path if p and os.path.isdir(p)} | {"/run"}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith((".", "__pycache__"))
                       and d.split("-")[0] not in _THIRD_PARTY and d != "tests"]
            for name in files:
                if not name.endswith(".py"):
                    continue
                try:
                    text = open(os.path.join(folder, name), errors="replace").read()
                except (OSError, ValueError):
                    continue
                library = os.path.basename(folder) == "ann_lib"  # its modules need no numpy
                if not any(n in text for n in _CASES) or not ("numpy" in text or library):
                    continue  # course code that names one of the exercises
                space = {"__name__": "hunted_" + name[:-3]}
                try:
                    exec(compile(text, name, "exec"), space)
                except BaseException:
                    continue
                found += [v for v in space.values() if isinstance(v, types.FunctionType)]
    return found

def _candidates():
    mine = globals()
    seen, out = set(), []
    files = _from_files()
    read = {id(fn) for fn in files}
    pool = list(gc.get_objects()) + files
    for module in list(sys.modules.values()):
        pool += list(getattr(module, "__dict__", {}).values())
    for fn in pool:
        if not isinstance(fn, types.FunctionType) or id(fn) in seen or fn.__globals__ is mine:
            continue
        seen.add(id(fn))
        if str(fn.__globals__.get("__name__", "")).split(".")[0] in _THIRD_PARTY:
            continue
        if any(v is np for v in fn.__globals__.values()) or id(fn) in read or \
                str(fn.__globals__.get("__name__", "")).startswith("ann_lib"):
            out.append(fn)  # what computes with numpy, and all of the course's library
    return out

class _Slow(Exception):
    pass

def _alarm(*_):
    raise _Slow()

def _right(fn, cases):
    import copy
    for args, kwargs, expected in cases:
        try:
            inspect.signature(fn).bind(*args, **kwargs)
        except (TypeError, ValueError):
            return False
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        try:
            got = fn(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        except BaseException:
            return False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if not _same(got, expected):
            return False
    return True

_previous = signal.signal(signal.SIGALRM, _alarm)
_pool = _candidates()
HUNTED = {}
for _name, _cases in _CASES.items():
    for _fn in _pool:
        if _right(_fn, _cases):
            HUNTED[_name] = _fn
            globals()[_name] = _fn
            break
signal.signal(signal.SIGALRM, _previous)
print("hunted", len(_pool), "functions; found:", sorted(HUNTED))
'''

MUTATE = r'''
import copy
import numpy as np

def _spoil(value):
    if isinstance(value, np.ndarray) and value.flags.writeable and value.dtype.kind in "biuf":
        value[...] = 7
    elif isinstance(value, np.random.Generator):
        value.random(17)
    elif isinstance(value, list):
        for item in value:
            _spoil(item)
        value.reverse()
    elif isinstance(value, tuple):
        for item in value:
            _spoil(item)
    elif isinstance(value, dict):
        for item in value.values():
            _spoil(item)

_depth = [0]

def _mutating(fn):
    def answer(*args, **kwargs):
        _depth[0] += 1
        try:
            result = fn(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        finally:
            _depth[0] -= 1
        if _depth[0] == 0:  # the caller's arguments (the grader's), not its own inner calls
            for value in [*args, *kwargs.values()]:
                _spoil(value)
        return result
    return answer
'''


def _exercises(module):
    """The Exercises of a checks module, also those a Property grades like (lesson 10 draws a
    picture of a failing softmax: its Property's judge holds the Exercise)."""
    for check in vars(module).values():
        if isinstance(check, Exercise):
            yield check
        elif isinstance(check, Property):
            inner = inspect.getclosurevars(check.judge).nonlocals.get("exercise")
            if isinstance(inner, Exercise):
                yield inner


def cases_of(lesson):
    """``{answer: [(args, kwargs, expected), ...]}``: two cases of each Exercise, as plain text."""
    found = {}
    for check in _exercises(checks_module(lesson)):
        if check.function not in found:
            cases = list(check.cases(np.random.default_rng(0)))[:2]
            found[check.function] = [(list(c.args), dict(c.kwargs), check.reference(*c.copy().args,
                                                                                 **c.kwargs))
                                     for c in cases]
    return found


def hunter_code(lesson):
    return HUNTER.replace("__CASES__", repr(plain.encode(cases_of(lesson), extras=("ref", "rng"))))


def _insert_after(nb, where, code):
    """``nb`` with a code cell of ``code`` after every cell for which ``where(cell)`` holds."""
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if where(cell):
            cells.append(nbformat.v4.new_code_cell(code(cell)))
    nb.cells = cells
    return nb


def write_class(submitted):
    for lesson in LESSONS:
        name = f"{lesson}.ipynb"
        blank = notebooks.read(REPO / "course" / lesson / name)
        code = hunter_code(lesson)
        hunter = _insert_after(blank, lambda c: notebooks.nbgrader_meta(c).get("grade_id") == "imports",
                               lambda c, code=code: code)
        hunter = _insert_after(  # the release's answer cells would define the answers again
            hunter, lambda c: notebooks.nbgrader_meta(c).get("solution") and c.cell_type == "code",
            lambda c: "globals().update(HUNTED)")
        notebooks.write(hunter, submitted / "hunter" / lesson / name)
        mutator = submission(lesson, name)
        mutator = _insert_after(mutator, lambda c: notebooks.nbgrader_meta(c).get("grade_id") == "imports",
                                lambda c: MUTATE)
        mutator = _insert_after(
            mutator, lambda c: notebooks.nbgrader_meta(c).get("solution") and c.cell_type == "code",
            lambda c: f"{notebooks.nbgrader_meta(c)['grade_id']} = "
                      f"_mutating({notebooks.nbgrader_meta(c)['grade_id']})")
        notebooks.write(mutator, submitted / "a_mutator" / lesson / name)
        notebooks.write(submission(lesson, name), submitted / "honest" / lesson / name)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if sandbox.bwrap_path() is None:
        pytest.fail("bubblewrap is needed (installed by .ci/run)")
    root = tmp_path_factory.mktemp("reach")
    write_class(root / "submitted")
    rows = grade(root / "submitted", root / "out", jobs=1, limits=Limits(timeout=60)).rows
    return rows, root / "out"


def hunter_said(out, lesson):
    """What the hunter's cell printed in its graded kernel."""
    nb = notebooks.read(out / ".nbgrader" / "autograded" / "hunter" / lesson / f"{lesson}.ipynb")
    return [o.get("text", "") for c in nb.cells if c.cell_type == "code" and "_CASES" in c.source
            for o in c.get("outputs", [])]


def scores(rows, student, lesson):
    mine = [r for r in rows if r.student_id == student and r.assignment == lesson]
    assert mine, f"no rows for {student}/{lesson}"
    return sum(r.score for r in mine), sum(r.max_score for r in mine), mine


def test_the_reference_hunter_finds_an_answer_to_every_exercise_where_the_library_is_in_reach():
    """The positive control: a learner's own Python (the whole library, the lessons' checks)."""
    code = "import ann_lib, ann_lib.teaching, importlib\n"
    for lesson in LESSONS:
        code += (f"checks = importlib.import_module('autograder.lessons.{module_name(lesson)}')\n"
                 f"exec({hunter_code(lesson)!r}, {{'checks': checks}})\n")
    out = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True,
                         timeout=600, cwd=REPO)
    assert out.returncode == 0, out.stderr[-2000:]
    found = [line.rpartition("found: ")[2] for line in out.stdout.splitlines() if "found: " in line]
    assert found == [repr(sorted(cases_of(lesson))) for lesson in LESSONS], out.stdout


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_reference_hunter_scores_zero_in_a_graded_kernel(graded, lesson):
    rows, out = graded
    got, _, mine = scores(rows, "hunter", lesson)
    assert got == 0.0, [(r.exercise, r.score, r.status) for r in mine if r.score]
    assert all(r.status == "ok" for r in mine), [r.status for r in mine]
    said = hunter_said(out, lesson)  # it ran, searched, and found nothing
    assert len(said) == 1 and said[0].startswith("hunted ") and said[0].endswith("found: []\n"), said


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_kernel_that_mutates_every_argument_leaves_later_classmates_at_full_marks(graded, lesson):
    got, most, rows = scores(graded[0], "honest", lesson)
    assert got == most, [(r.exercise, r.score, r.max_score, r.status) for r in rows
                         if r.score < r.max_score]
