"""ann_lib.teaching.multiclass: digit grids, first-layer weights, the k x k confusion matrix and
the softmax explorer (which draws the learner's softmax, never the reference)."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from ann_lib import activations, datasets, metrics
from ann_lib.teaching import multiclass as teaching_multiclass

from .conftest import drawn

X, y = datasets.load_digits()


def test_digit_images_titles_each_image_with_its_label_or_its_mistake():
    fig = teaching_multiclass.digit_images(X[:5], y[:5], "five digits")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == [str(d) for d in y[:5]]
    mosaic = ax.get_images()[0].get_array()
    assert np.array_equal(mosaic[:8, :8], X[0].reshape(8, 8))
    assert np.array_equal(mosaic[:8, 10:18], X[1].reshape(8, 8))  # 2 pixels apart
    wrong = teaching_multiclass.digit_images(X[:2], [3, 8], "wrong", predicted=[8, 1])
    assert [t.get_text() for t in wrong.axes[0].texts] == ["true 3\nsaid 8", "true 8\nsaid 1"]
    assert "none" in teaching_multiclass.digit_images(X[:0], y[:0], "wrong").axes[0].get_title()


def test_digit_images_refuses_rows_that_are_not_8x8_images():
    with pytest.raises(ValueError, match=r"\(n_images, 64\)"):
        teaching_multiclass.digit_images(X[:, :10], y, "t")


def test_first_layer_weights_draws_each_units_column_as_an_image():
    W = np.random.default_rng(0).normal(size=(64, 5))
    fig = teaching_multiclass.first_layer_weights(W, "first layer")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == [f"unit {j}" for j in range(1, 6)]
    third = ax.get_images()[0].get_array()[:8, 20:28]
    assert np.allclose(third, W[:, 2].reshape(8, 8) / np.abs(W[:, 2]).max())
    with pytest.raises(ValueError, match=r"\(64, n_units\)"):
        teaching_multiclass.first_layer_weights(W.T, "t")


def test_class_confusion_writes_the_counts_and_the_accuracy():
    C = metrics.confusion_matrix([0, 1, 2, 2, 1], [0, 2, 2, 2, 1], 3)
    fig = teaching_multiclass.class_confusion(C, "three classes")
    ax = fig.axes[0]
    assert "accuracy 80.0%" in ax.get_title()
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "1", "2"]
    assert isinstance(fig, Figure)
    with pytest.raises(ValueError, match="square"):
        teaching_multiclass.class_confusion(np.ones((2, 3)), "t")


def test_softmax_explorer_draws_the_learners_probabilities_and_moves_with_the_sliders(capsys):
    def my_softmax(Z):
        E = np.exp(Z - Z.max(axis=1, keepdims=True))
        return E / E.sum(axis=1, keepdims=True)

    explorer = teaching_multiclass.softmax_explorer(my_softmax)
    result, printed = drawn(capsys, explorer)
    assert printed == ""
    assert np.allclose(result, activations.softmax(np.array([[2.0, 1.0, 0.0]]))[0])
    shift = explorer.children[3]
    shift.value = 1000.0
    assert np.allclose(explorer.result, result)  # a stable softmax ignores the shift


def test_softmax_explorer_says_softmax_is_not_written_yet_and_shows_an_unstable_one(capsys):
    def not_written_yet(Z):
        raise NotImplementedError

    result, printed = drawn(capsys, teaching_multiclass.softmax_explorer(not_written_yet))
    assert result is None and "write `softmax` above first" in printed

    def unstable(Z):
        with np.errstate(all="ignore"):
            return np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)

    explorer = teaching_multiclass.softmax_explorer(unstable)
    explorer.children[3].value = 1000.0
    assert np.isnan(explorer.result).all()


def test_cost_curve_draws_the_history_against_the_epoch_on_a_log_axis():
    fig = teaching_multiclass.cost_curve([2.3, 1.0, 0.5], "t")
    line = fig.axes[0].get_lines()[0]
    assert list(line.get_xdata()) == [1, 2, 3] and list(line.get_ydata()) == [2.3, 1.0, 0.5]
    assert fig.axes[0].get_yscale() == "log"
