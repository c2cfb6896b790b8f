"""ann_lib.teaching.standardizing: raw vs standardized descent, figure and explorer."""

import pytest
from matplotlib.figure import Figure

from ann_lib.teaching import standardizing

from .conftest import drawn


def my_standardize(X, mean, scale):
    return (X - mean) / scale


def test_descent_raw_vs_standardized_has_two_panels():
    fig = standardizing.descent_raw_vs_standardized(scale=10.0, n_steps=30)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2


def test_standardizing_explorer_converges_faster_on_the_learners_standardized_data(capsys):
    result, printed = drawn(capsys, standardizing.standardizing_explorer(my_standardize))
    raw, standardized = result
    assert printed == ""
    # the same 30 steps at 0.8 of each run's stability limit: the raw run is still far off
    assert standardized < raw / 10


@pytest.mark.parametrize("fn, message", [
    (None, "write `standardize` above first"),
    (lambda X, mean, scale: X[:, :1], "cannot draw (ValueError: shape (100, 1), but the data has "
                                      "shape (100, 2))"),
])
def test_standardizing_explorer_draws_nothing_but_says_why(capsys, fn, message):
    result, printed = drawn(capsys, standardizing.standardizing_explorer(fn))
    assert result is None
    assert message in printed
