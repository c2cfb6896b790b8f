"""The lesson's own figures in the feedback, drawn by the grader from the kernel's values
(:mod:`autograder.outputs.feedback_figures`): a complete submission's feedback shows them, a
wrong answer's figure is the figure of her wrong function, a hostile value (NaN, a huge array,
an object) gives the note and loses nothing else. Graded by the real ``ann-course grade``."""

import base64

import pytest

from autograder import notebooks
from autograder.grading.grade import grade
from autograder.outputs import feedback_figures
from autograder.release.release_data import teaching_of
from autograder.release.sample_class import submission
from autograder.settings import REPO

LESSON, NOTEBOOK, MODULE = "05_losses", "05_losses.ipynb", "autograder.lessons.losses"
PNG = b"\x89PNG\r\n\x1a\n"
STUDENTS = {
    "complete": None,
    "wrong": "def mse(y_true, y_pred):\n    return np.mean((y_true - y_pred) ** 2) / 2\n",
    "nan": "def mse(y_true, y_pred):\n    return float('nan')\n",
    # 72 MB: above the wire format's 64 MiB
    "huge": "def mse(y_true, y_pred):\n    return np.zeros((3000, 3000))\n",
    "object": "def mse(y_true, y_pred):\n    return object()\n",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Lesson 05 graded for each of :data:`STUDENTS`: their autograded notebooks and pages."""
    root = tmp_path_factory.mktemp("feedback_figures")
    for student, mse in STUDENTS.items():
        nb = submission(LESSON, NOTEBOOK, {"mse": mse} if mse else {})
        notebooks.write(nb, root / "submitted" / student / LESSON / NOTEBOOK)
    grade(root / "submitted", root / "out", jobs=2)
    return {s: (notebooks.read(root / "out" / ".nbgrader" / "autograded" / s / LESSON / NOTEBOOK),
                (root / "out" / "feedback" / s / LESSON / "05_losses.html").read_text())
            for s in STUDENTS}


def _figures():
    """The lesson's teaching cells that draw a figure (not explorers): (uses mse, source)."""
    cells = teaching_of(REPO, MODULE).cells
    return [("mse=mse" in s, s) for s in sorted(cells) if not feedback_figures.is_explorer(s)]


def _outputs(nb, source):
    return next(c for c in nb.cells if c.cell_type == "code" and c.source.strip() == source).outputs


def _pngs(outputs):
    return [base64.b64decode(o["data"]["image/png"]) for o in outputs
            if o.get("output_type") == "display_data" and "image/png" in o.get("data", {})]


def _scores(nb):
    return {notebooks.nbgrader_meta(c)["grade_id"]: notebooks.error_of(c) for c in nb.cells
            if notebooks.is_test(c)}


def test_a_complete_submissions_feedback_shows_every_figure_of_the_lesson(graded):
    nb, html = graded["complete"]
    figures = _figures()
    assert any(uses for uses, _ in figures), "lesson 05 draws the learner's mse"
    for _, source in figures:
        pngs = _pngs(_outputs(nb, source))
        assert pngs and all(p.startswith(PNG) for p in pngs), source
        encoded = base64.b64encode(pngs[0]).decode("ascii")
        assert f'src="data:image/png;base64,{encoded}"' in html.replace("\n", ""), source
    assert "could not be drawn" not in html, html[html.find("could not be drawn") - 300:][:600]


def test_an_explorer_keeps_its_note(graded):
    nb, _ = graded["complete"]
    explorers = [s for s in teaching_of(REPO, MODULE).cells if feedback_figures.is_explorer(s)]
    assert explorers
    for source in explorers:
        assert [o.get("text") for o in _outputs(nb, source)] == [feedback_figures.EXPLORER]


def test_a_wrong_answer_gets_the_figure_of_her_wrong_function(graded):
    for uses_mse, source in _figures():
        right, wrong = (_pngs(_outputs(graded[s][0], source)) for s in ("complete", "wrong"))
        assert right and wrong, source
        assert (right != wrong) == uses_mse, source


@pytest.mark.parametrize("student, why", [("nan", "`mse` returned NaN"),
                                          ("huge", "`mse` returned more than 64 MiB of arrays"),
                                          ("object", "`mse` returned an object of type object")])
def test_a_hostile_value_gives_the_note_and_loses_nothing_else(graded, student, why):
    nb, html = graded[student]
    complete, _ = graded["complete"]
    for uses_mse, source in _figures():
        outputs = _outputs(nb, source)
        if uses_mse:
            assert _pngs(outputs) == [], source
            assert [o.get("text") for o in outputs] == [
                feedback_figures.NOT_DRAWN.format(why=why)], outputs
        else:
            assert _pngs(outputs) == _pngs(_outputs(complete, source)), source
    assert "could not be drawn" in html
    mine, theirs = _scores(nb), _scores(complete)
    assert set(mine) == set(theirs) and any(mine.values())
    assert {g: e for g, e in mine.items() if "mse" not in str(e)} == {
        g: e for g, e in theirs.items() if "mse" not in str(mine[g])}


def _in_process(namespace, module=MODULE, references=None, asked=None):
    """A :class:`~autograder.outputs.feedback_figures.Figures` whose "kernel" is ``namespace``
    answered by the kernel's own code in this process (a fake kernel for the grader's side);
    ``asked``, a list, gets each request's text."""
    import ast

    from autograder.inkernel import compute

    def ask(expression):
        call = ast.parse(expression, mode="eval").body
        handler = compute.run if call.func.attr == "run" else compute.values
        if asked is not None:
            asked.append(expression)
        return handler(namespace, ast.literal_eval(call.args[1]))

    return feedback_figures.Figures(teaching_of(REPO, module).imports, ask, 60, references)


def test_what_the_kernel_sends_is_only_plain_data_never_a_function_to_call():
    import numpy as np

    figures = _in_process({"np": np, "mse": lambda y, p: np.mean, "X": np.ones(3)})
    figures._fetch({"mse", "X", "nowhere"})
    assert isinstance(figures.namespace["mse"], feedback_figures.KernelFunction)
    assert figures.namespace["X"].tolist() == [1.0, 1.0, 1.0] and "nowhere" not in figures.namespace
    with pytest.raises(feedback_figures.FigureFailed, match="returned an object of type"):
        figures.namespace["mse"](np.zeros(1), np.zeros(1))  # a reference to numpy.mean is refused
    broken = feedback_figures.Figures((), lambda expression: "not a message", 60)
    [shown] = broken.draw("print(undefined_name)")
    assert shown["text"].startswith(feedback_figures.NOT_DRAWN.format(
        why="the kernel sent a malformed message")[:-2]), shown


def test_a_shape_that_broadcasts_into_gigabytes_is_a_memory_error_not_the_graders_memory():
    import resource

    import numpy as np

    before = resource.getrlimit(resource.RLIMIT_AS)
    with feedback_figures._bounded_memory(256 << 20), pytest.raises(MemoryError):
        np.ones((20000, 1)) - np.ones(20000)  # (20000, 20000) floats: 3.2 GB
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_a_cell_binds_its_top_level_names_not_an_answers_parameters_or_locals():
    import ast

    source = ("import numpy as np\ndef train(X, y, rng):\n    inner = 1\n    return X\n"
              "params, (a, b) = train(1, 2, 3), (4, 5)\nsquares = [k * k for k in range(3)]\n")
    assert feedback_figures._top_level(ast.parse(source)) == {"np", "train", "params", "a", "b",
                                                              "squares"}


def test_a_loop_feeding_her_results_back_past_the_cap_gets_the_note_that_says_to_run_it_in_lab():
    import numpy as np

    figures = _in_process({"np": np, "mse": lambda y, p: float(np.mean((y - p) ** 2))})
    loop = (f"value = 0.0\nfor _ in range({feedback_figures.MAX_CALLS + 1}):\n"
            f"    value = mse(np.ones(2), np.full(2, value))\nprint(value)\n")
    assert figures.draw(loop) == feedback_figures.note(
        feedback_figures.NOT_DRAWN.format(why=feedback_figures.TOO_MANY_CALLS))
    assert "run this cell in JupyterLab" in feedback_figures.TOO_MANY_CALLS
    short = loop.replace(str(feedback_figures.MAX_CALLS + 1), "3")
    [shown] = _in_process({"np": np, "mse": lambda y, p: float(np.mean((y - p) ** 2))}).draw(short)
    assert shown["text"] == "1.0\n", shown  # 1, 0, 1: each call fed the last one


@pytest.mark.parametrize("with_reference", [False, True])
def test_a_generator_passed_to_her_function_moves_on_as_it_does_in_jupyterlab(with_reference):
    import numpy as np

    def draw(rng):
        return float(rng.random())

    source = "rng = np.random.default_rng(3)\nprint([draw(rng) for _ in range(4)])\n"
    figures = _in_process({"np": np, "draw": draw}, references={"draw": draw} if with_reference else None)
    [shown] = figures.draw(source)
    rng = np.random.default_rng(3)
    assert shown["text"] == f"{[float(rng.random()) for _ in range(4)]}\n", shown  # 4 different draws


def test_lesson_11s_training_with_her_l2_and_dropout_is_drawn_as_jupyterlab_runs_it():
    """The loop feeds her results back every epoch (~1 200 calls): the first pass with the
    checks' right answers plans them, a few requests fetch them, the figure is hers."""
    import contextlib
    import io

    from ann_lib import regularization

    module = "autograder.lessons.regularization"
    mine = {name: getattr(regularization, name) for name in
            ("l2_penalty", "l2_penalty_grad", "dropout_forward", "dropout_backward")}
    teaching = teaching_of(REPO, module)
    lesson = notebooks.read(REPO / "solutions" / "11_regularization" / "11_regularization.ipynb")
    cells = [c for c in lesson.cells
             if c.cell_type == "code" and c.source.strip() in teaching.cells]
    setup, training = [c.source.strip() for c in cells if "train_regularized" in c.source][:2]
    asked = []
    figures = _in_process(dict(mine), module, dict(mine), asked)
    figures.draw(setup)
    outputs = figures.draw(training)
    namespace = dict(mine)  # the same cells run here, as JupyterLab runs them
    for source in (*teaching.imports, setup, training):
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            exec(source, namespace)
    assert outputs[0]["text"] == printed.getvalue() and "keep_prob = 0.3" in printed.getvalue(), outputs
    assert len(_pngs(outputs)) == 1 and len(asked) <= 30, len(asked)
