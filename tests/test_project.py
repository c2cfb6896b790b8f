"""The project's promises: dependency lists agree, course/ is generated, notebooks follow the rules."""

import ast
import json
import re
import tomllib

import numpy as np
import pytest
import yaml

from autograder import notebooks
from autograder.release.build import build, lessons
from autograder.settings import REPO

LESSONS = lessons()


def _requirement(spec):
    name = re.match(r"[A-Za-z0-9_.\-\[\]]+", spec).group(0)
    return name.lower(), spec[len(name):].replace(" ", "")


def test_environment_yml_lists_exactly_the_runtime_dependencies_of_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = dict(_requirement(s) for s in project["dependencies"])
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = [d for d in env["dependencies"]
             if isinstance(d, str) and not re.match(r"^(python|pip)\b", d)]
    assert {"pip": ["-e ."]} in env["dependencies"], "environment.yml must install the project"
    assert dict(_requirement(s) for s in conda) == wanted


def _json(path):
    return json.loads(path.read_text())


def test_course_and_examples_are_exactly_what_build_produces(tmp_path):
    build(dest=tmp_path / "course", examples=tmp_path / "examples")
    for folder in ("course", "examples"):
        ours = sorted(p.relative_to(REPO / folder) for p in (REPO / folder).rglob("*.ipynb"))
        fresh = sorted(p.relative_to(tmp_path / folder)
                       for p in (tmp_path / folder).rglob("*.ipynb"))
        assert ours == fresh, f"{folder}/ holds other notebooks than the build makes"
        for rel in ours:
            assert _json(REPO / folder / rel) == _json(tmp_path / folder / rel), (
                f"{folder}/{rel} is out of date: run `ann-course build`")


@pytest.mark.parametrize("lesson", LESSONS)
def test_release_has_no_outputs_solutions_or_hidden_tests(lesson):
    for sol in sorted((REPO / "solutions" / lesson).glob("*.ipynb")):
        rel = REPO / "course" / lesson / sol.name
        assert notebooks.leaks(notebooks.read(sol), notebooks.read(rel)) == []


def test_leak_check_catches_a_solution_line_in_the_release():
    sol = notebooks.read(REPO / "solutions" / LESSONS[0] / f"{LESSONS[0]}.ipynb")
    rel = notebooks.read(REPO / "course" / LESSONS[0] / f"{LESSONS[0]}.ipynb")
    answer = next(c for c in sol.cells if notebooks.is_answer(c))
    secret = notebooks.region(answer.source, notebooks.BEGIN_SOLUTION, notebooks.END_SOLUTION)
    target = next(c for c in rel.cells if notebooks.is_answer(c))
    target.source += "\n" + "\n".join(secret)
    assert any("is in the release" in p for p in notebooks.leaks(sol, rel))


def _all_notebooks():
    return [p for folder in ("solutions", "course") for p in sorted((REPO / folder).rglob("*.ipynb"))]


@pytest.mark.parametrize("path", _all_notebooks(), ids=lambda p: str(p.relative_to(REPO)))
def test_notebooks_are_committed_without_outputs(path):
    nb = notebooks.read(path)
    dirty = [c.get("id") for c in nb.cells
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty
    assert ".ipynb_checkpoints" not in path.parts


def _solution_notebooks():
    return sorted((REPO / "solutions").rglob("*.ipynb"))


def _parse(source):
    # IPython's trailing ';' and magics are not used in our notebooks: plain Python must parse.
    return ast.parse(source)


@pytest.mark.parametrize("path", _solution_notebooks(), ids=lambda p: p.parent.name)
def test_lesson_starts_with_objectives_and_has_one_import_cell(path):
    nb = notebooks.read(path)
    assert nb.cells[0].cell_type == "markdown"
    assert re.search(r"by the end of this lesson", nb.cells[0].source, re.I)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert notebooks.nbgrader_meta(code[0]).get("grade_id") == "imports"
    assert notebooks.nbgrader_meta(code[0]).get("locked")
    importing = [c.get("id") for c in code[1:]
                 if any(isinstance(n, (ast.Import, ast.ImportFrom))
                        for n in ast.walk(_parse(c.source)))]
    assert not importing, f"imports outside the import cell: {importing}"


@pytest.mark.parametrize("path", _solution_notebooks(), ids=lambda p: p.parent.name)
def test_functions_are_defined_only_in_answer_cells(path):
    nb = notebooks.read(path)
    for cell in nb.cells:
        if cell.cell_type != "code" or notebooks.is_answer(cell):
            continue
        defs = [n.name for n in ast.walk(_parse(cell.source))
                if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda)) and hasattr(n, "name")]
        assert not defs, f"cell {cell.get('id')} defines {defs}: helpers belong in ann_lib"


@pytest.mark.parametrize("path", _solution_notebooks(), ids=lambda p: p.parent.name)
def test_every_answer_has_locked_tests_that_call_its_hidden_check(path):
    nb = notebooks.read(path)
    answers = [notebooks.nbgrader_meta(c)["grade_id"] for c in nb.cells if notebooks.is_answer(c)]
    tests = {notebooks.nbgrader_meta(c)["grade_id"]: c for c in nb.cells if notebooks.is_test(c)}
    assert answers
    for name in answers:
        mine = [c for gid, c in tests.items() if gid == f"test_{name}" or gid.startswith(f"test_{name}_")]
        assert mine, f"no test cell test_{name}"
        for cell in mine:
            assert notebooks.nbgrader_meta(cell).get("locked")
            hidden = "\n".join(notebooks.region(cell.source, notebooks.BEGIN_HIDDEN,
                                                notebooks.END_HIDDEN))
            assert re.search(rf"\bchecks\.{name}\w*\(", hidden), f"{cell.id}: no hidden check"
            assert "checks.expect(" in cell.source, f"{cell.id}: no visible test"


@pytest.mark.parametrize("path", _solution_notebooks(), ids=lambda p: p.parent.name)
def test_no_test_cell_ends_on_a_bare_expression(path):
    """nbgrader gives partial or full credit for a value a test cell ends on (even False)."""
    nb = notebooks.read(path)
    for cell in nb.cells:
        if not notebooks.is_test(cell):
            continue
        for source in (cell.source, "\n".join(
                ln for ln in cell.source.splitlines()
                if ln not in notebooks.region(cell.source, notebooks.BEGIN_HIDDEN,
                                              notebooks.END_HIDDEN))):
            last = _parse(source).body[-1]
            if isinstance(last, ast.Expr):
                call = last.value
                assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                    and getattr(call.func.value, "id", None) == "checks", (
                        f"{cell.id} ends on an expression that is not a checks call")


def test_the_course_has_lessons_01_to_13_in_order_and_ends_with_the_capstone():
    assert [lesson[:2] for lesson in LESSONS] == [f"{n:02d}" for n in range(1, 14)]
    assert LESSONS[8:] == ["09_optimizers", "10_multiclass", "11_regularization", "12_autograd",
                           "13_capstone"]


def test_the_course_has_at_least_35_graded_exercises():
    per_lesson = {}
    for path in _solution_notebooks():
        nb = notebooks.read(path)
        per_lesson[path.parent.name] = sum(notebooks.is_answer(c) for c in nb.cells)
    assert all(n >= 4 for lesson, n in per_lesson.items() if lesson != "01_neuron"), per_lesson
    assert per_lesson["01_neuron"] >= 3
    assert sum(per_lesson.values()) >= 35, per_lesson


def test_the_checks_diagnose_at_least_20_distinct_mistakes():
    from autograder.lessons import checks_of

    keys = {(lesson, m.key) for lesson in LESSONS for c in checks_of(lesson).values()
            for m in c.all_mistakes()}
    assert len(keys) >= 20


def _exercise_of(test_id, names):
    """The answer a test cell grades: ``test_<name>`` or ``test_<name>_*``, longest name first."""
    matches = [n for n in names if test_id == f"test_{n}" or test_id.startswith(f"test_{n}_")]
    return max(matches, key=len) if matches else None


_ANNOUNCED_POINTS = re.compile(r"\((\d+) points?\b")


@pytest.mark.parametrize("path", _solution_notebooks(), ids=lambda p: p.parent.name)
def test_points_announced_in_an_exercise_heading_are_the_points_of_its_test_cells(path):
    nb = notebooks.read(path)
    announced, heading = {}, None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("### Exercise"):
                    found = _ANNOUNCED_POINTS.search(line)
                    assert found, f"{line!r} does not say how many points it is worth"
                    heading = (line, int(found.group(1)))
        elif notebooks.is_answer(cell):
            assert heading, f"answer {cell.id} has no '### Exercise' heading before it"
            announced[notebooks.nbgrader_meta(cell)["grade_id"]] = heading
            heading = None
    tests = notebooks.test_cells(nb)
    wrong = []
    for name, (line, points) in announced.items():
        got = sum(p for gid, p in tests if _exercise_of(gid, list(announced)) == name)
        if got != points:
            wrong.append(f"{line!r} announces {points}, its test cells carry {got:g}")
    assert announced
    assert not wrong, wrong


# Weights have shape (n_in, n_out) and a layer computes X @ W + b (lesson 03). A transposed
# weight on the right of `@` is only right when a gradient is multiplied back (dZ @ W.T).
_TRANSPOSED_WEIGHT = re.compile(r"([\w\])]+)\s*@\s*W\w*\.T\b")
_WEIGHT_FIRST = re.compile(r"\bW\w*(\.T)?\s*@\s*(x|X|h|H|A\w*)\b")
_COLUMN_CONVENTION_TEX = re.compile(r"W(_\{?\w+\}?)?\s*(\\,)?\s*\\mathbf\{[xh]\}|"
                                    r"\bX\s*W(_\{?\w+\}?)?\^(\\top|T|\{\\top\})")


def weight_convention_breaks(nb):
    """Lines of a notebook that use weights as (n_out, n_in) matrices: ``X @ W.T``, ``W1 x``."""
    found = []
    for cell in nb.cells:
        for line in cell.source.splitlines():
            if cell.cell_type == "code":
                code = line.split("#", 1)[0]
                bad = [m.group(0) for m in _TRANSPOSED_WEIGHT.finditer(code)
                       if not m.group(1).startswith("d")]
                bad += [m.group(0) for m in _WEIGHT_FIRST.finditer(code)]
            else:
                bad = [m.group(0) for m in _COLUMN_CONVENTION_TEX.finditer(line)]
            found += [f"{cell.get('id')}: {b}" for b in bad]
    return found


@pytest.mark.parametrize("path", _solution_notebooks(), ids=lambda p: p.parent.name)
def test_notebooks_keep_weights_of_shape_n_in_by_n_out(path):
    assert weight_convention_breaks(notebooks.read(path)) == []


def test_the_weight_convention_scan_finds_transposed_and_column_forms():
    nb = notebooks.read(REPO / "solutions" / "06_backprop" / "06_backprop.ipynb")
    nb.cells[1].source += "\nZ = X @ W1.T + b1\nH = W2 @ x\n"
    nb.cells[0].source += "\n$\\mathbf{h} = W_1 \\mathbf{x} + \\mathbf{b}_1$ and $XW_2^\\top$\n"
    found = weight_convention_breaks(nb)
    assert len(found) == 4, found
    nb.cells[1].source += "\ndX = dZ @ W.T\ndA1 = (dZ2 @ W2.T) * (Z1 > 0)\n"
    assert len(weight_convention_breaks(nb)) == 4


def _relative_error_as_stated(text):
    """The formula lesson 06 states for ``gradcheck.relative_error``, as a function."""
    stated = re.search(r"\\max_i \\frac\{\|a_i - b_i\|\}\{\\max\(10\^\{(-\d+)\},\\ "
                       r"\|a_i\| \+ \|b_i\|\)\}", text)
    assert stated, "lesson 06 no longer states relative_error's formula in the expected form"
    floor = 10.0 ** int(stated.group(1))

    def relative_error(a, b):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return float(np.max(np.abs(a - b) / np.maximum(floor, np.abs(a) + np.abs(b))))
    return relative_error


def test_lesson_06_states_relative_error_exactly_as_gradcheck_computes_it():
    from ann_lib import gradcheck

    nb = notebooks.read(REPO / "solutions" / "06_backprop" / "06_backprop.ipynb")
    stated = _relative_error_as_stated("\n".join(c.source for c in nb.cells
                                                 if c.cell_type == "markdown"))
    one_wrong = (np.ones(6), np.array([1.0, 1, 1, 1, 1, 2]))
    norm_based = np.linalg.norm(one_wrong[0] - one_wrong[1]) / (
        np.linalg.norm(one_wrong[0]) + np.linalg.norm(one_wrong[1]))
    assert abs(stated(*one_wrong) - 1 / 3) < 1e-15, "element-wise, not norm-based"
    assert abs(norm_based - 1 / 3) > 0.1, "this example tells the two forms apart"
    pairs = [one_wrong, (np.zeros(3), np.zeros(3)), (np.array([0.0, 1e-20]), np.zeros(2)),
             (np.array([[1e-13, 2.0], [-3.0, 0.0]]), np.array([[0.0, 2.5], [-3.0, 1e-14]])),
             (np.array([-1.0, 4.0]), np.array([1.0, 4.0]))]
    for a, b in pairs:
        assert gradcheck.relative_error(a, b) == pytest.approx(stated(a, b), rel=1e-12, abs=0.0)
