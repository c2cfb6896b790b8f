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


def test_both_panels_show_the_whole_descent_path_and_the_minimum():
    """An overshooting first step (0.8 of the stability limit) stays inside the frame."""
    fig = standardizing.descent_raw_vs_standardized(scale=10.0, n_steps=30, lr_fraction=0.8)
    for ax in fig.axes:
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        for line in ax.get_lines():
            xs, ys = line.get_xdata(), line.get_ydata()
            assert (x0 <= min(xs) and max(xs) <= x1 and y0 <= min(ys) and max(ys) <= y1), (
                f"{ax.get_title()}: {line.get_label()} leaves the frame")
