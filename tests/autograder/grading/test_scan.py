"""The static scan of a submission's own code (:mod:`autograder.grading.scan`).

Every snippet is put in a real lesson-01 notebook (the release, filled in with the solutions) as
an added cell, unless it says otherwise; each category has snippets that must be flagged, with the
right line and text, and near misses that must not be. The course's own code must be clean, and a
flag must never cost a point (graded by the real ``grade`` on real nbgrader).
"""

from __future__ import annotations

import csv
import html

import nbformat
import pytest

from autograder import notebooks
from autograder.grading import scan
from autograder.lessons import checks_of
from autograder.limits import Limits
from autograder.release.build import lessons
from autograder.release.sample_class import solution_answers, submission
from autograder.settings import REPO

L, NB = "01_neuron", "01_neuron.ipynb"
RELEASE = notebooks.read(REPO / "course" / L / NB)
GRADED = set(checks_of(L))
COMPLETE = submission(L, NB)
ADDED = f"cell {len(COMPLETE.cells) + 1}"


def with_cell(code, nb=COMPLETE):
    """``nb`` with a new code cell holding ``code`` at the end (as a student adds one)."""
    nb = nbformat.from_dict(nb)
    nb.cells.append(nbformat.v4.new_code_cell(code))
    return nb


def found(code):
    return scan.scan(with_cell(code), RELEASE, GRADED)


def assert_flagged(code, category, line, why=""):
    """``code`` (in an added cell) is flagged in ``category`` at ``line``, with that line's text."""
    hits = [f for f in found(code) if f.category == category and f.line == line]
    assert len(hits) == 1, (code, found(code))
    assert (hits[0].cell, hits[0].text) == (ADDED, code.splitlines()[line - 1]), hits
    assert why in hits[0].reason, hits


# --- one test per category: flagged, with the line; and near misses that are not -------------------

@pytest.mark.parametrize("code, line", [
    ("import subprocess\nsubprocess.run(['ls'])", 1),
    ("import os\n\nos.system('ls')", 3),
    ("import os\nos.fork()", 2),
    ("import os\nos.kill(os.getppid(), 9)", 2),
    ("import os\nos.execv('/bin/sh', ['sh'])", 2),
    ("from multiprocessing import Process\n", 1),
    ("import pty\npty.spawn('/bin/sh')", 1),
    ("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)", 1),
    ("x = 1\n__import__('os').popen('id')", 2),
])
def test_processes_are_flagged(code, line):
    assert_flagged(code, "process", line)


@pytest.mark.parametrize("code, line", [
    ("import socket\ns = socket.socket()", 1),
    ("from urllib.request import urlopen\n", 1),
    ("import http.client\n", 1),
    ("import requests\nrequests.get('http://127.0.0.1:8888')", 1),
    ("import asyncio\nasyncio.open_connection('127.0.0.1', 80)", 2),
])
def test_network_is_flagged(code, line):
    assert_flagged(code, "network", line)


@pytest.mark.parametrize("code, line", [
    ("import ctypes\nctypes.CDLL(None)", 1),
    ("from ctypes import pythonapi as api\n", 1),
    ("import cffi\n", 1),
])
def test_ctypes_is_flagged(code, line):
    assert_flagged(code, "ctypes", line)


@pytest.mark.parametrize("code, line", [
    ("import gc\nobjects = gc.get_objects()", 1),
    ("x = 1\nfrom gc import get_referrers as refs\n", 2),
])
def test_gc_is_flagged(code, line):
    assert_flagged(code, "gc", line)


@pytest.mark.parametrize("code, line, why", [
    ("import sys\nf = sys._getframe(1)", 2, "sys._getframe"),
    ("import inspect\nf = inspect.currentframe()", 2, "inspect.currentframe"),
    ("import inspect\nfor info in inspect.stack():\n    pass", 2, "inspect.stack"),
    ("def f(frame):\n    return frame.f_back.f_locals", 2, "f_"),
    ("try:\n    1 / 0\nexcept Exception as e:\n    g = e.__traceback__.tb_frame.f_globals", 4, ""),
    ("gen = (i for i in range(3))\nframe = gen.gi_frame", 2, "gi_frame"),
    ("g = step.__globals__", 1, "__globals__"),
    ("subs = ().__class__.__base__.__subclasses__()", 1, "__subclasses__"),
])
def test_frame_and_introspection_access_is_flagged(code, line, why):
    assert_flagged(code, "frame", line, why)


@pytest.mark.parametrize("code, line, why", [
    ("np.isclose = lambda *a, **k: True", 1, "numpy.isclose"),
    ("x = 1\nnp.testing.assert_allclose = print", 2, "numpy.testing.assert_allclose"),
    ("checks.step = lambda f: None", 1, "autograder.lessons.neuron.step"),
    ("checks.step.verdict = lambda s: None", 1, "step.verdict"),
    ("import builtins\nbuiltins.abs = lambda x: 0", 2, "builtins.abs"),
    ("__builtins__['isinstance'] = lambda *a: True", 1, "builtins"),
    ("setattr(np, 'allclose', lambda *a: True)", 1, "numpy"),
    ("import sys\nsys.modules['numpy'] = None", 2, "sys.modules"),
    ("import sys\nsys.modules['numpy'].isclose = max", 2, "numpy.isclose"),
    ("__import__ = lambda *a, **k: None", 1, "__import__"),
    ("import importlib\nimportlib.reload(np)", 2, "reload"),
    ("class Fake:\n    pass\nchecks = Fake()", 3, "`checks`"),
    ("del np.isclose", 1, "numpy.isclose"),
    ("vars(np)['isclose'] = max", 1, "numpy"),
    ("globals()['checks'] = None", 1, "by name"),
    ("get_ipython().showtraceback = lambda *a, **k: None", 1, "IPython.showtraceback"),
    ("ip = get_ipython()\nip.set_custom_exc((Exception,), print)", 2, "set_custom_exc"),
    ("import sys\nsys.path.insert(0, 'x')", 2, "sys.path"),
])
def test_patching_of_modules_or_builtins_is_flagged(code, line, why):
    assert_flagged(code, "patch", line, why)


@pytest.mark.parametrize("code, line, why", [
    ("class Fake(float):\n    def __eq__(self, other):\n        return True", 2, "__eq__"),
    ("class A(np.ndarray):\n    __array_priority__ = 99\n    def __array_ufunc__(self, *a):\n"
     "        pass", 2, "__array_priority__"),
    ("class Quiet:\n    def __getattr__(self, name):\n        return print", 2, "__getattr__"),
    ("Fake = type('Fake', (), {'__eq__': lambda s, o: True})", 1, "__eq__"),
])
def test_objects_that_can_pass_for_values_are_flagged(code, line, why):
    assert_flagged(code, "fake", line, why)


@pytest.mark.parametrize("code, line, category", [
    ("src = 'print(1)'\nexec(src)", 2, "exec"),
    ("eval('1' + '+1')", 1, "exec"),
    ("code = compile(src, 'x', 'exec')", 1, "exec"),
    ("import pickle\nf = pickle.loads(b'')", 2, "exec"),
    ("mod = __import__('o' + 's')", 1, "exec"),
    ("import os\nf = getattr(os, 'sys' + 'tem')", 2, "exec"),
    # a literal is scanned as the code it is
    ("exec('import os; os.system(\"id\")')", 1, "process"),
    ("eval(\"__import__('socket')\")", 1, "network"),
])
def test_exec_and_eval_of_built_code_are_flagged(code, line, category):
    assert_flagged(code, category, line)


@pytest.mark.parametrize("code, line", [
    ("text = open('/etc/passwd').read()", 1),
    ("from pathlib import Path\nnb = Path('..') / 'other'", 2),
    ("import os\nnames = os.listdir('/home')", 2),
    ("import os\nfor root, dirs, files in os.walk('../..'):\n    pass", 2),
    ("import glob\nglob.glob('~/*.ipynb')", 2),
    ("import shutil\nshutil.copy('a', 'b')", 1),
    ("from pathlib import Path\nup = Path.cwd().parent", 2),
    ("import os\nos.remove('data.csv')", 2),
])
def test_file_access_outside_the_notebook_folder_is_flagged(code, line):
    assert_flagged(code, "file", line)


@pytest.mark.parametrize("code, line, why", [
    ("from ann_lib.neuron import weighted_sum", 1, "ann_lib.neuron"),
    ("import ann_lib", 1, "ann_lib"),
    ("import autograder.checks.core as core", 1, "autograder.checks.core"),
    ("x = 1\nref = checks.step.reference", 2, "reference"),
    ("print(checks.neuron)", 1, "grader's"),
    ("import importlib\nm = importlib.import_module('ann_lib.activations')", 2, "ann_lib"),
    ("nb = open('solutions/01_neuron/01_neuron.ipynb').read()", 1, "solutions"),
    ("db = 'gradebook.db'", 1, "gradebook"),
    # redefining a graded function with the reference, in an added cell
    ("def step(z):\n    return activations.step(z)", 2, "ann_lib.activations.step"),
])
def test_importing_or_reading_the_reference_is_flagged(code, line, why):
    assert_flagged(code, "reference", line, why)


def test_an_answer_using_the_reference_is_flagged_under_its_grade_id():
    nb = submission(L, NB, {"step": "def step(z):\n    return activations.step(z)\n"})
    got = scan.scan(nb, RELEASE, GRADED)
    assert [(f.cell, f.line, f.text, f.category) for f in got] == [
        ("step", 2, "    return activations.step(z)", "reference")]


@pytest.mark.parametrize("code", [
    "import os\npath = os.path.join('data', 'x.csv')\nok = os.path.exists(path)",
    "import os\nos._exit(0)",  # ends its own kernel only: graded as a crash, not a flag
    "import sys\nsys.exit()",
    "from urllib.parse import quote\nq = quote('a b')",
    "gcd = np.gcd(4, 6)\nctypes = 3",
    "import inspect\nsig = inspect.signature(step)",
    "frame = {'f_back': 1}\nprint(frame['f_back'])",
    "rng = np.random.default_rng(0)\nnp.random.seed(0)\nprint(np.sum(rng.normal(size=3)))",
    "import numpy as np\nfrom ann_lib import activations",  # the import cell's own line, again
    "class Layer:\n    def __init__(self, w):\n        self.w = w\nparams = [1]\nparams[0] = 2",
    "x = eval('1 + 1')\nexec('y = 2')",
    "text = open('data.csv').read()\nz = np.loadtxt('./data/x.txt')",
    "print('m/s', 'a / b', f'{1:.2f}/{2}', '1/2')",
    "checks.step(step)\nchecks.self_check(globals())\nchecks.expect(step(0.0), 1.0, 'step(0)')",
    "print(activations.sigmoid(0.0))",  # the lesson does not grade sigmoid
    "%matplotlib inline\n%timeit np.sum(np.ones(3))",
    "def sigmoid_grad(z):\n    \"\"\"See /usr/share/doc and ../notes.\"\"\"\n    return z",
])
def test_honest_near_misses_are_not_flagged(code):
    assert found(code) == []


# --- aliases, magics, cells that do not parse, which cells are read ------------------------------

def test_aliases_are_resolved():
    assert_flagged("from os import system as run\n\nrun('ls')", "process", 3)
    assert_flagged("import os\nsh = os.system\nsh('ls')", "process", 3)
    assert_flagged("import numpy as numeric\nnumeric.allclose = print", "patch", 2, "numpy.allclose")
    assert_flagged("b = __builtins__\nb.abs = print", "patch", 2, "builtins.abs")
    assert_flagged("ev = eval\nev(text)", "exec", 2)
    assert_flagged("from os import *\nsystem('ls')", "process", 2)
    assert_flagged("g = globals()\ng['np'].isclose = max", "patch", 2, "numpy.isclose")


@pytest.mark.parametrize("code, line, category, why", [
    ("x = 1\n!ls /", 2, "process", "`!`"),
    ("files = !ls ..", 1, "process", "`!`"),
    ("%%bash\nls /\n", 1, "process", "%bash"),
    ("%run ../solutions/x.py", 1, "exec", "%run"),
    ("%load other.py", 1, "exec", "%load"),
    ("%cd ..", 1, "file", "%cd"),
    ("%pip install requests", 1, "process", "%pip"),
    ("%time exec(text)", 1, "exec", "exec"),
    ("%%time\nx = 1\nimport os\nos.system('id')\n", 4, "process", "os.system"),
    ("x = 1\nget_ipython().system('id')", 2, "process", "`!`"),
])
def test_magics_and_shell_escapes_are_flagged(code, line, category, why):
    assert_flagged(code, category, line, why)


def test_a_cell_that_does_not_parse_gets_a_word_search():
    assert_flagged("def f(:\n    import subprocess\n    return 1", "process", 2, "does not parse")
    assert found("def f(:\n    return 1") == []
    assert_flagged("x = " + "[" * 3000 + "]" * 3000 + "\nimport ctypes", "ctypes", 2)


def test_a_cell_too_long_to_read_is_flagged_and_never_breaks_the_scan():
    assert_flagged("x = 1\n" + "#" * scan.MAX_CELL, "exec", 1, "too long")
    assert scan.scan_answers(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "x = " + "-" * 50_000 + "1")]), GRADED) == []  # the kernel cannot compile it either


def test_an_added_cell_that_claims_to_be_locked_is_still_read():
    nb = with_cell("import ctypes")
    nb.cells[-1].metadata["nbgrader"] = {"locked": True, "grade": False, "solution": False,
                                         "grade_id": "imports", "schema_version": 3}
    assert [f.category for f in scan.scan(nb, RELEASE, GRADED)] == ["ctypes"]


def test_only_cells_the_student_wrote_or_changed_are_read():
    """The release's cells (imports of ann_lib and the checks, demo cells) are not the student's."""
    nb = nbformat.from_dict(COMPLETE)
    demo = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                and not notebooks.nbgrader_meta(c) and "teaching." in c.source)
    assert scan.scan(nb, RELEASE, GRADED) == []
    nb.cells[demo].source += "\nimport ctypes"
    got = scan.scan(nb, RELEASE, GRADED)
    assert [(f.cell, f.category) for f in got] == [(f"cell {demo + 1}", "ctypes")]


# --- the course's own code is clean ----------------------------------------------------------------

@pytest.mark.parametrize("lesson", lessons())
def test_the_course_own_code_is_not_flagged(lesson):
    """Solutions, the blank release and every catalogued mistake (the sample class) are clean,
    also when every unlocked cell of the release is read as the student's (no release given)."""
    checks = checks_of(lesson)
    for path in sorted((REPO / "course" / lesson).glob("*.ipynb")):
        release = notebooks.read(path)
        answers = solution_answers(lesson, path.name)
        assert answers
        solved = notebooks.fill(release, answers)
        assert scan.scan(solved, release, checks) == []
        assert scan.scan(solved, None, checks) == []
        assert scan.scan(release, None, checks) == []
        for name, check in checks.items():
            for mistake in check.all_mistakes():
                wrong = notebooks.fill(release, {**answers,
                                                 check.function: mistake.source(check.function)})
                assert scan.scan(wrong, release, checks) == [], (name, mistake.key)


# --- what the instructor reads ---------------------------------------------------------------------

def test_flags_are_grouped_per_category_capped_and_show_the_line():
    code = ("import ctypes\nimport ctypes.util\nfrom ctypes import CDLL\nimport _ctypes\n"
            "import os; os.system('id')\nprint('\u202e') or np.__dict__  # \u202e hidden\n")
    got = scan.scan_answers(with_cell(code), GRADED, REPO / "course" / L / NB)
    assert len(got) == 3, got
    native, = [f for f in got if f.startswith("suspicious code (native code): ")]
    assert native.count(f"{ADDED} line") == scan.SHOWN and native.endswith("(+1 more)")
    assert f"{ADDED} line 1: `import ctypes` (loads native code: ctypes)" in native
    process, = [f for f in got if "(processes)" in f]
    assert "line 5: `import os;\u00a0os.system('id')`" in process  # one row in the report
    patch, = [f for f in got if "(patching" in f]
    assert "\u202e" not in patch and "\\u202e" in patch
    assert all("; " not in f for f in got)


# --- a flag never changes a score ------------------------------------------------------------------

def test_a_flagged_complete_submission_keeps_full_marks(tmp_path):
    """Real ``grade`` on real nbgrader: full marks, and the flags in grades.csv and report.html."""
    from autograder.grading.grade import grade

    code = ("import gc, inspect, socket\n"
            "n_objects = len(gc.get_objects())\n"
            "here = inspect.currentframe()\n"
            "two = eval('1 + ' + '1')\n")
    notebooks.write(with_cell(code), tmp_path / "submitted" / "mallory" / L / NB)
    rows = grade(tmp_path / "submitted", tmp_path / "out", limits=Limits(timeout=30), jobs=1).rows
    assert {r.exercise: r.score for r in rows} == {gid: pts for gid, pts in notebooks.test_cells(
        RELEASE)}
    assert sum(r.score for r in rows) == sum(r.max_score for r in rows) == 5
    assert all(r.status == "ok" for r in rows), rows
    with (tmp_path / "out" / "grades.csv").open() as f:
        flags = {r["flags"] for r in csv.DictReader(f)}
    assert len(flags) == 1
    flag = flags.pop()
    for category in ("(network)", "(garbage collector)", "(frames and introspection)",
                     "(running built code)"):
        assert f"suspicious code {category}" in flag, flag
    assert f"{ADDED} line 2: `n_objects = len(gc.get_objects())`" in flag
    page = html.unescape((tmp_path / "out" / "report.html").read_text())
    assert f"{ADDED} line 4: `two = eval('1 + ' + '1')` (eval() of code built at run time)" in page


@pytest.mark.parametrize("code, line", [
    ("from sklearn.neural_network import MLPClassifier\ndef step(z):\n    return MLPClassifier()", 3),
    ("import sklearn\ndef step(z):\n    return sklearn.neural_network.MLPClassifier()", 3),
    ("import sklearn as s\ndef step(z):\n    return getattr(s, 'linear_model').LogisticRegression()",
     3),
    ("import importlib\ndef step(z):\n    return importlib.import_module('scipy.special').expit(z)", 3),
    ("import sys\ndef step(z):\n    return sys.modules['scipy.special'].expit(z)", 3),
    ("def step(z):\n    return __import__('sklearn.preprocessing').preprocessing.scale(z)", 2),
])
def test_a_library_that_does_an_exercise_is_flagged_wherever_an_answer_reaches_it(code, line):
    assert_flagged(code, "reference", line, "does an exercise outright")
    elsewhere = found(code.replace("def step(z)", "def explore(z)"))  # not an answer: fine
    assert not [f for f in elsewhere if "does an exercise" in f.reason], elsewhere


def test_a_library_the_lesson_itself_imports_is_flagged_only_where_the_student_uses_it():
    capstone = next(p.name for p in sorted((REPO / "solutions").iterdir())
                    if p.name.partition("_")[2] == "capstone")
    release = notebooks.read(REPO / "course" / capstone / f"{capstone}.ipynb")
    nb = submission(capstone, f"{capstone}.ipynb", {
        "predict": "def predict(X, params):\n    return MLPClassifier().fit(X, X[:, 0] > 0).predict(X)\n"})
    for notebook in (release, nb):  # a lesson whose import cell brings scikit-learn's network
        cell = next(c for c in notebook.cells if notebooks.nbgrader_meta(c).get("grade_id") == "imports")
        cell.source += "\nfrom sklearn.neural_network import MLPClassifier"
    got = scan.scan(nb, release, set(checks_of(capstone)))
    assert [(f.cell, f.line, f.category) for f in got] == [("predict", 2, "reference")], got
