"""Derive before you type: lessons 06, 08 and the capstone never hand over a backward formula.

Their prompts give the chain rule, the shapes and a worked scalar case; the student derives the
matrix form and checks it with her own numerical gradient. This test reads every text a student
sees before she writes her backward pass (the markdown cells and the comments of the visible test
cells of the release) and fails on a ready matrix formula for the gradients these lessons grade:
a transpose (`X.T @ dZ`, `dZ @ W.T`, `A_prev.T`, LaTeX `X^\\top`, `W^T`) or the bias gradient as
a sum over the samples (`dZ.sum(axis=0)`, `np.sum(dZ, axis=0)`, `\\sum_k dZ`).
"""

import re

import pytest

from autograder import notebooks
from autograder.settings import REPO

DERIVED = ("06_backprop", "08_deep_networks", "13_capstone")

READY_FORMULAS = {
    "a NumPy transpose (X.T, W.T, A_prev.T)": re.compile(r"\b\w+\.T\b"),
    "a LaTeX transpose (X^\\top, W^T)": re.compile(r"\^\s*\{?\s*(\\top|\\intercal|T\b|\\mathsf\{T\})"),
    "the bias gradient as a sum over axis 0": re.compile(r"sum\([^)]*axis\s*=\s*0"),
    "the bias gradient as a sum of dZ": re.compile(r"\\sum\S*\s*\\?\(?\s*(\\left\()?\s*d\s*Z"),
}


def student_text(nb):
    """``[(cell id, line)]``: every markdown line and every comment of a visible test cell."""
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out += [(cell.get("id"), line) for line in cell.source.splitlines()]
        elif notebooks.is_test(cell):
            hidden = set(notebooks.region(cell.source, notebooks.BEGIN_HIDDEN, notebooks.END_HIDDEN))
            out += [(cell.get("id"), line[line.index("#"):]) for line in cell.source.splitlines()
                    if "#" in line and line not in hidden and not line.lstrip().startswith("###")]
    return out


def ready_formulas(nb):
    return [f"{cell_id}: {what}: {line.strip()}" for cell_id, line in student_text(nb)
            for what, pattern in READY_FORMULAS.items() if pattern.search(line)]


@pytest.mark.parametrize("lesson", DERIVED)
def test_the_release_states_no_ready_matrix_formula_for_a_graded_gradient(lesson):
    nb = notebooks.read(REPO / "course" / lesson / f"{lesson}.ipynb")
    found = ready_formulas(nb)
    assert not found, "derive before you type: the prompt gives the chain rule and the shapes, " \
        "not the formula:\n" + "\n".join(found)


@pytest.mark.parametrize("text", [
    "2. the backward pass of a dense layer: $dX = dZ\\,W^\\top$, $dW = X^\\top dZ$;",
    "$$dW_l = A_{l-1}^{\\top} dZ_l$$",
    "it is `dZ.sum(axis=0)`, shape `(n_out,)`",
    "$db_j = \\sum_k dZ_{kj}$",
    "$d\\mathbf{b} = \\sum dZ$",
    "so dW = A_prev.T @ dZ",
    "$dW = X^T dZ$",
])
def test_each_way_of_writing_the_formula_is_caught(text):
    nb = notebooks.read(REPO / "course" / DERIVED[0] / f"{DERIVED[0]}.ipynb")
    nb.cells[0].source += "\n" + text
    assert ready_formulas(nb), text


@pytest.mark.parametrize("text", [
    "$dW$ has the shape of $W$, `(n_in, n_out)`, built from $X$ `(n, n_in)` and $dZ$ `(n, n_out)`",
    "$\\partial Z_{kj} / \\partial W_{ij} = X_{ki}$, summed over the samples $k$",
    "The Taylor series",
    "$\\sum_k L_k$ over the samples",
])
def test_the_chain_rule_and_the_shapes_are_not_mistaken_for_the_formula(text):
    nb = notebooks.read(REPO / "course" / DERIVED[0] / f"{DERIVED[0]}.ipynb")
    nb.cells[0].source = text
    assert not [f for f in ready_formulas(nb) if f.startswith(f"{nb.cells[0].get('id')}:")]
