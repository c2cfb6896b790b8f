"""Red team, scores: a submission that did not do the work earns nothing, whatever its kernel says.

Every attacker starts from the BLANK release of lesson 01 (so it deserves 0) and adds code cells;
the class (attackers and honest classmates) is graded in one run by the real ``ann-course grade``:
real nbgrader, real kernels. The hidden tests are judged in the grader's process from plain data
(:mod:`autograder.checks.judge`), so an attacker gets 0 even when its kernel reports no error at all.
"""

from __future__ import annotations

import nbformat
import pytest

from autograder import notebooks
from autograder.grading.check_notebook import check
from autograder.grading.grade import grade
from autograder.limits import Limits
from autograder.release.sample_class import mistake_answer, submission
from autograder.settings import REPO

L, NB = "01_neuron", "01_neuron.ipynb"
ANSWERS = ("weighted_sum", "weighted_sum_batch", "step", "neuron_output", "and_gate")


def attacker(top="", before_tests=""):
    """The blank release with ``top`` added after the imports and ``before_tests`` before every
    test cell (where it can redefine the answers the test cell uses)."""
    nb = notebooks.read(REPO / "course" / L / NB)
    cells = []
    for cell in nb.cells:
        if before_tests and notebooks.is_test(cell):
            cells.append(nbformat.v4.new_code_cell(before_tests))
        cells.append(cell)
        if top and notebooks.nbgrader_meta(cell).get("grade_id") == "imports":
            cells.append(nbformat.v4.new_code_cell(top))
    nb.cells = cells
    return nb


ZEROS = """
def weighted_sum(x, w, b):
    return 0.0
def weighted_sum_batch(X, w, b):
    return np.zeros(len(X))
def step(z):
    return np.zeros(np.shape(z))
def neuron_output(x, w, b, activation):
    return np.zeros(np.shape(x)[:-1])
def and_gate():
    return np.zeros(2), 0.0
"""

EQUAL_OBJECT = """
class Agree:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __array__(self, dtype=None, copy=None): return np.zeros(())
    def __float__(self): return 0.0
    def __bool__(self): return True
    def __iter__(self): return iter((Agree(), Agree()))
    def __len__(self): return 2
def weighted_sum(*a, **k): return Agree()
weighted_sum_batch = step = neuron_output = weighted_sum
def and_gate(): return Agree(), Agree()
"""

NDARRAY_SUBCLASS = """
class Yes(np.ndarray):
    def __eq__(self, other): return np.True_
    def __ne__(self, other): return np.False_
    def __array_ufunc__(self, *a, **k): return np.True_
    def __array_function__(self, *a, **k): return np.True_
def weighted_sum(*a, **k): return np.zeros(1).view(Yes)
weighted_sum_batch = step = neuron_output = weighted_sum
def and_gate(): return np.zeros(2).view(Yes), np.zeros(()).view(Yes)
"""

HIDE_IPYTHON = """
def _silence():
    ip = get_ipython()
    ip.showtraceback = lambda *a, **k: None
    ip._showtraceback = lambda *a, **k: None
    ip.showsyntaxerror = lambda *a, **k: None
def weighted_sum(*a, **k):
    _silence()
    raise ValueError("nothing to see")
weighted_sum_batch = step = neuron_output = and_gate = weighted_sum
"""

QUIET_MESSAGES = """
import jupyter_client.session
def _quiet():
    kernel = get_ipython().kernel
    if getattr(kernel, "_quiet", False):
        return
    original = jupyter_client.session.Session.send
    def send(self, stream, msg_or_type, content=None, *args, **kwargs):
        kind = msg_or_type if isinstance(msg_or_type, str) else msg_or_type["header"]["msg_type"]
        if kind == "error":
            return None
        if kind == "execute_reply" and isinstance(content, dict):
            content = dict(content, status="ok", user_expressions={
                k: {"status": "ok", "data": {"text/plain": "''"}, "metadata": {}}
                for k in content.get("user_expressions", {})})
        return original(self, stream, msg_or_type, content, *args, **kwargs)
    jupyter_client.session.Session.send = send
    kernel.session.send = send.__get__(kernel.session)
    kernel._quiet = True
def weighted_sum(*a, **k):
    _quiet()
    raise ValueError("nothing to see")
weighted_sum_batch = step = neuron_output = and_gate = weighted_sum
"""

PATCH_RUN_CELL = """
from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult
_ip = get_ipython()
async def run_cell_async(raw_cell, store_history=False, silent=False, shell_futures=True, *,
                         transformed_cell=None, preprocessing_exc_tuple=None, cell_id=None):
    return ExecutionResult(ExecutionInfo(raw_cell, store_history, silent, shell_futures, cell_id))
def run_cell(raw_cell, store_history=False, silent=False, shell_futures=True, cell_id=None):
    return ExecutionResult(ExecutionInfo(raw_cell, store_history, silent, shell_futures, cell_id))
_ip.run_cell_async = run_cell_async
_ip.run_cell = run_cell
_ip.should_run_async = lambda *a, **k: True
"""

SHADOW_IMPORT = """
import builtins, types
from autograder.checks import plain as _plain
_real_import = builtins.__import__
def _forged_run(namespace, request):
    req = _plain.decode(request, extras=("ref", "rng"))
    results = [{"return": 0.0, "after": None} for _ in req["calls"]]
    return _plain.encode({"answer": "function", "results": results})
_fake = types.ModuleType("autograder.inkernel.compute")
_fake.run, _fake.begin = _forged_run, lambda: ""
def _import(name, globals=None, locals=None, fromlist=(), level=0):
    if name.startswith("autograder.inkernel.compute"):
        return _fake
    return _real_import(name, globals, locals, fromlist, level)
builtins.__import__ = _import
builtins.all = lambda *a: True
builtins.any = lambda *a: True
get_ipython().user_ns["__builtins__"] = builtins
""" + ZEROS

PATCH_CHECKS_AND_NUMPY = """
import autograder.checks.core as core
np.isclose = lambda *a, **k: np.True_
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
core._close = lambda *a, **k: True
core.Check.__call__ = lambda self, student: None
for _name in dir(checks):
    if not _name.startswith("_"):
        setattr(checks, _name, lambda *a, **k: None)
""" + ZEROS

FAKE_CHECKS = """
class _Fake:
    def __getattr__(self, name):
        return lambda *a, **k: None
checks = _Fake()
""" + ZEROS

FRAMES_AND_GC = """
import gc, sys
def _found(default):
    frame = sys._getframe(1)
    while frame is not None:  # the old in-kernel check kept `expected` in a caller's frame
        if "expected" in frame.f_locals:
            return frame.f_locals["expected"]
        frame = frame.f_back
    for obj in gc.get_objects():  # anything that looks like a reference result
        if isinstance(obj, dict) and "expected" in obj:
            return obj["expected"]
    return default
def weighted_sum(x, w, b): return _found(0.0)
def weighted_sum_batch(X, w, b): return _found(np.zeros(len(X)))
def step(z): return _found(np.zeros(np.shape(z)))
def neuron_output(x, w, b, activation): return _found(np.zeros(np.shape(x)[:-1]))
def and_gate(): return _found((np.zeros(2), 0.0))
"""

CTYPES = """
import ctypes, gc
def _patch(cls, name, fn):
    gc.get_referents(cls.__dict__)[0][name] = fn
    ctypes.pythonapi.PyType_Modified(ctypes.py_object(cls))
_patch(np.ndarray, "__eq__", lambda a, b: np.True_)
_patch(float, "__eq__", lambda a, b: True)
_patch(float, "__float__", lambda a: 5.0)
""" + ZEROS

#: attacker -> (cell after the imports, cell before every test cell)
ATTACKS = {
    "equal_object": ("", EQUAL_OBJECT),
    "ndarray_subclass": ("", NDARRAY_SUBCLASS),
    "hide_ipython_errors": ("", HIDE_IPYTHON),
    "quiet_kernel_messages": ("", QUIET_MESSAGES),
    "patch_run_cell": ("", PATCH_RUN_CELL),
    "shadow_import_and_builtins": ("", SHADOW_IMPORT),
    "patch_checks_and_numpy": (PATCH_CHECKS_AND_NUMPY, ZEROS),
    "fake_checks": ("", FAKE_CHECKS),
    "frames_and_gc": ("", FRAMES_AND_GC),
    "ctypes": ("", CTYPES),
}
#: Attacks whose kernel reports no error in any test cell: only the grader's verdict fails them.
SILENT = ("quiet_kernel_messages", "patch_checks_and_numpy", "fake_checks")
HONEST = ("honest_1", "honest_2")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("redteam")
    submitted = root / "submitted"
    for student in HONEST:
        notebooks.write(submission(L, NB), submitted / student / L / NB)
    notebooks.write(submission(L, NB, {"step": mistake_answer(L, "step")}),
                    submitted / "mistaken" / L / NB)
    for student, (top, before) in ATTACKS.items():
        notebooks.write(attacker(top, before), submitted / student / L / NB)
    out = root / "out"
    rows = grade(submitted, out, limits=Limits(timeout=10), jobs=3).rows
    return rows, out


def _rows(rows, student):
    got = [r for r in rows if r.student_id == student]
    assert len(got) == len(ANSWERS), [(r.exercise, r.status) for r in got]
    return got


@pytest.mark.parametrize("student", list(ATTACKS))
def test_an_attacker_starting_from_the_blank_release_gets_zero(graded, student):
    rows, _ = graded
    got = _rows(rows, student)
    assert sum(r.score for r in got) == 0, [(r.exercise, r.score, r.status) for r in got]


@pytest.mark.parametrize("student", HONEST)
def test_honest_classmates_graded_with_the_attackers_get_full_marks(graded, student):
    rows, _ = graded
    got = _rows(rows, student)
    assert all(r.score == r.max_score > 0 for r in got), [(r.exercise, r.score, r.status)
                                                          for r in got]


@pytest.mark.parametrize("student", SILENT)
def test_a_kernel_reporting_no_error_does_not_earn_the_point(graded, student):
    """The kernel's own outputs of these test cells hold no error: the grader's verdict fails them."""
    _, out = graded
    nb = notebooks.read(out / ".nbgrader" / "autograded" / student / L / NB)
    tests = [c for c in nb.cells if notebooks.is_test(c)]
    assert len(tests) == len(ANSWERS)
    for cell in tests:
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        assert errors and all(o["ename"] == "CheckFailed" for o in errors), (
            notebooks.nbgrader_meta(cell)["grade_id"], [o.get("ename") for o in errors])


@pytest.mark.parametrize("student", ["honest_1", "mistaken", "patch_checks_and_numpy"])
def test_ann_course_check_judges_as_grade_does(graded, student):
    rows, out = graded
    report = check(out / ".nbgrader" / "autograded" / student / L / NB)  # a copy of the submission
    graded_nb = notebooks.read(out / ".nbgrader" / "autograded" / student / L / NB)
    errors = {notebooks.nbgrader_meta(c)["grade_id"]: notebooks.error_of(c)
              for c in graded_nb.cells if notebooks.is_test(c)}
    by_grade = {r.exercise: r.score for r in rows if r.student_id == student}
    assert {r.grade_id: r.score for r in report.results} == by_grade
    for r in report.results:
        assert r.message.split(". For example")[0] == errors[r.grade_id].split(". For example")[0]
