"""ann_lib.teaching.losses: loss panel, outlier fits and the outlier explorer."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from numpy.testing import assert_allclose

from ann_lib import datasets
from ann_lib.teaching import losses

from .conftest import drawn


def my_mse(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def my_mae(y_true, y_pred):
    return np.mean(np.abs(y_true - y_pred))


def not_written_yet(*args, **kwargs):
    raise NotImplementedError


def quantile_q_swapped(y_true, y_pred, q=0.5):
    r = y_true - y_pred
    return np.mean(np.where(r >= 0, (1 - q) * r, -q * r))


def test_loss_panel_has_six_panels():
    fig = losses.loss_panel()
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 6


def test_loss_panel_draws_the_learners_own_losses_even_when_wrong():
    r = np.array([-2.0, -0.5, 0.0, 1.0, 3.0])
    fig = losses.loss_panel(r=r, quantiles=(0.25,), mae=my_mae, quantile=quantile_q_swapped)
    assert_allclose(fig.axes[1].get_lines()[0].get_ydata(), [2.0, 0.5, 0.0, 1.0, 3.0])
    # swapped, q = 0.25: 0.75 r for r >= 0 and 0.25 |r| below (the right loss is the reverse)
    assert_allclose(fig.axes[4].get_lines()[0].get_ydata(), [0.5, 0.125, 0.0, 0.75, 2.25])
    assert fig.axes[4].get_title().startswith("(e) your quantile")
    # not given: the reference, 0.5 r^2 near 0 for log-cosh's r = 0
    assert fig.axes[3].get_lines()[0].get_ydata()[2] == 0.0
    assert "your" not in fig.axes[3].get_title()


def test_loss_panel_says_which_learner_loss_to_write_instead_of_drawing_the_reference():
    fig = losses.loss_panel(log_cosh=not_written_yet, quantile=not_written_yet)
    for ax, name in ((fig.axes[3], "log_cosh"), (fig.axes[4], "quantile")):
        assert not ax.get_lines()
        assert [f"write `{name}` above first" in t.get_text().replace("\n", " ") for t in ax.texts] == [True]


def test_outlier_fits_draws_four_fitted_lines_and_the_true_one():
    x, y = datasets.make_regression_with_outliers(n_samples=100, n_outliers=10, seed=0)
    fig = losses.outlier_fits(x, y, delta=1.0, true_line=(2.0, 1.0))
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].get_lines()) == 5


def test_outlier_explorer_fits_the_mean_and_the_median_with_the_learners_costs(capsys):
    explorer = losses.outlier_explorer(mse=my_mse, mae=my_mae, huber=not_written_yet)
    best, printed = drawn(capsys, explorer)
    data = np.append(losses.INLIERS, 20.0)  # the outlier starts at 20
    step = 50 / 600  # the candidates' spacing
    assert best["MSE (mean)"] == pytest.approx(data.mean(), abs=step / 2)
    middle = np.sort(data)[4:6]  # ten values: every c between the two middle ones is a median
    assert middle[0] - step / 2 <= best["MAE (median)"] <= middle[1] + step / 2
    assert "Huber" not in best  # not written: left out, and the explorer says so
    assert printed == ""
    left = plt.gcf().axes[0]  # Agg: the explorer's figure stays open
    assert "write `huber` above first" in left.get_title()


def test_outlier_explorer_with_no_cost_written_says_so(capsys):
    result, printed = drawn(capsys, losses.outlier_explorer(mse=not_written_yet))
    assert result is None
    for name in ("mse", "mae", "huber"):
        assert f"write `{name}` above first" in printed


def test_outlier_fits_draws_each_cost_in_its_own_style_and_the_robust_fits_close_up():
    x, y = datasets.make_regression_with_outliers(n_samples=100, n_outliers=10, seed=0)
    fig = losses.outlier_fits(x, y, delta=1.0, true_line=(2.0, 1.0))
    fitted = fig.axes[0].get_lines()[:4]
    styles = {(line.get_color(), line.get_linestyle()) for line in fitted}
    assert len(styles) == 4 and len({line.get_linestyle() for line in fitted}) == 4
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert [lb.split(":")[0] for lb in labels[1:5]] == ["MSE", "MAE", "Huber (delta 1)", "log-cosh"]
    close_up = fig.axes[1]
    # MAE, Huber and log-cosh lie within 1 of the true line; MSE (more than 2 off) is left out
    low, high = close_up.get_ylim()
    assert -1 < low and high < 1
    assert [ln.get_label() for ln in close_up.get_lines()[:3]] == ["MAE", "Huber (delta 1)", "log-cosh"]
