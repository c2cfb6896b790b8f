"""Lessons 10 and 11 state what their code measures: the solution notebooks run top to bottom
(in-process, matplotlib's Agg backend) and every result the prose states is one the code printed.

Lesson 10's network must also read at least 95 % of the held-out digits (issue #19).
"""

import contextlib
import io
import re

import matplotlib
import pytest

from autograder import notebooks
from autograder.settings import REPO

matplotlib.use("Agg")


def run_solution(lesson):
    """``(namespace, printed text, prose)`` of a solution notebook run top to bottom."""
    nb = notebooks.read(REPO / "solutions" / lesson / f"{lesson}.ipynb")
    namespace, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        for cell in nb.cells:
            if cell.cell_type == "code":
                exec(compile(notebooks.student_answer(cell.source)  # noqa: S102 - our notebook
                             if notebooks.is_answer(cell) else cell.source, lesson, "exec"),
                     namespace)
    import matplotlib.pyplot as plt

    plt.close("all")
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return namespace, printed.getvalue(), re.sub(r"\s+", " ", prose)


@pytest.fixture(scope="module")
def multiclass():
    return run_solution("10_multiclass")


@pytest.fixture(scope="module")
def regularization():
    return run_solution("11_regularization")


def test_the_multiclass_solution_reads_at_least_95_percent_of_the_held_out_digits(multiclass):
    ns, printed, _ = multiclass
    accuracy = float((ns["predicted"] == ns["y_test"]).mean())
    assert accuracy >= 0.95, accuracy
    assert (len(ns["y_test"]), len(ns["y_train"])) == (451, 1346)  # a quarter held out, never trained on
    assert f"{accuracy:.1%} on the test images" in printed


# (what the prose says, what the code printed): each pair must be found in the notebook
MULTICLASS = [
    ("starts at 2.314", "cost: 2.314 before training"),
    ("it is down to 0.059", "0.0590 before the last step"),
    ("99.0 % of the 1346 training images", "99.0% on the training images"),
    ("96.0 % of the 451 test images", "96.0% on the test images"),
    ("1346 training images", "1346 training images, 451 test images"),
    ("433 of the 451 test images", "433 of 451"),
    ("The 18 errors", "errors: 18;"),
    ("no pair of digits occurs more than twice", "the most frequent (2 times each)"),
    ("(a 0 read as a 4, a 3 read as a 5 and an 8 read as a 1)",
     "0 read as 4, 3 read as 5, 8 read as 1"),
    ("9 of the 18 have an 8", "an 8 as the true or the predicted digit: 9"),
    ("Units 21 and 31 never changed", "never changed: [21 31]"),
    ("between 174 and 183 images", "[178 182 177 183 181 182 181 179 174 180]"),
]

REGULARIZATION = [
    ("(100.0 %) but reads only 90.9 %", "training accuracy 100.0%, validation 90.9%, gap 9.1%"),
    ("a gap of 9.1 points", "gap 9.1%"),
    ("Its training cross-entropy, 0.008", "cross-entropy: training 0.008, validation 0.328"),
    ("L2 from 90.9 % to 92.2 %", "L2, lam = 2                  training 100.0%   validation  92.2%"
                                 "   gap  7.8%   validation cross-entropy 0.449"),
    ("dropout to 92.8 %", "dropout, keep_prob = 0.3     training 100.0%   validation  92.8%"
                          "   gap  7.2%   validation cross-entropy 0.301"),
    ("from 9.1 to 7.8 and 7.2 points", "gap  7.2%"),
    ("Dropout lowers it (0.328 to 0.301)", "validation cross-entropy 0.328"),
    ("raises it, to 0.449", "validation cross-entropy 0.449"),
    ("(0.7991 here)", "units kept: 0.7991"),
    ("mean of `A_out` is 0.9989", "mean of A_out: 0.9989"),
    ("A validation set of 539", "100 training images (10 to 10 of each digit), 539 validation"),
]


@pytest.mark.parametrize(("said", "printed"), MULTICLASS)
def test_lesson_10_states_the_numbers_its_code_prints(multiclass, said, printed):
    _, out, prose = multiclass
    assert said in prose, said
    assert printed in out, (printed, out)


@pytest.mark.parametrize(("said", "printed"), REGULARIZATION)
def test_lesson_11_states_the_numbers_its_code_prints(regularization, said, printed):
    _, out, prose = regularization
    assert said in prose, said
    assert printed in out, (printed, out)
