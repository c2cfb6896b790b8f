"""ann_lib.teaching.deep: per-layer curves, decision boundaries over the epochs, and their explorer."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from ann_lib import deep
from ann_lib.datasets import make_xor
from ann_lib.teaching import deep as teaching_deep

from .conftest import drawn

X, y = make_xor(40, noise=0.2, seed=0)
ACTS = ["tanh", "sigmoid"]


def my_forward(X, params, activations):
    (W1, b1), (W2, b2) = params
    A = 1 / (1 + np.exp(-(np.tanh(X @ W1 + b1) @ W2 + b2)))
    return A, None


def _snapshots(n):
    params = deep.init_params([2, 4, 1], "glorot", np.random.default_rng(0))
    snapshots = [params]
    for _ in range(n - 1):
        params, _ = deep.train(X, y.reshape(-1, 1), params, ACTS, 1.0, 30)
        snapshots.append(params)
    return snapshots


def test_layer_curves_draws_one_line_per_setting_on_a_log_axis():
    fig = teaching_deep.layer_curves({"a": [1.0, 0.1, 0.01], "b": [1.0, 1.0, 1.0]}, "std", "t")
    ax = fig.axes[0]
    assert isinstance(fig, Figure) and ax.get_yscale() == "log"
    assert [list(line.get_xdata()) for line in ax.get_lines()] == [[1, 2, 3], [1, 2, 3]]


def test_decision_boundaries_shows_spread_snapshots_with_their_epoch_and_accuracy():
    snapshots = _snapshots(8)
    fig = teaching_deep.decision_boundaries(my_forward, snapshots, list(range(0, 240, 30)), X, y,
                                            ACTS, n_panels=4)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert [t.split(":")[0] for t in titles] == ["epoch 0", "epoch 60", "epoch 150", "epoch 210"]
    accuracy = float(titles[-1].split("accuracy ")[1].rstrip("%")) / 100
    A = deep.forward(X, snapshots[-1], ACTS)[0][:, 0]
    assert accuracy == pytest.approx(np.mean((A >= 0.5) == y), abs=0.005)


def test_boundary_explorer_draws_the_learners_output_at_the_chosen_epoch(capsys):
    snapshots = _snapshots(3)
    explorer = teaching_deep.boundary_explorer(my_forward, snapshots, [0, 30, 60], X, y, ACTS)
    result, printed = drawn(capsys, explorer)
    assert printed == "" and result.shape == (81, 81)
    slider = explorer.children[0]
    assert (slider.min, slider.max, slider.step) == (0, 60, 30)
    slider.value = 60
    later = explorer.result
    corner = np.array([[X[:, 0].min() - 0.5, X[:, 1].min() - 0.5]])
    assert later[0, 0] == pytest.approx(my_forward(corner, snapshots[2], ACTS)[0][0, 0])
    assert not np.allclose(later, result)


def test_boundary_explorer_says_forward_is_not_written_yet(capsys):
    def not_written_yet(*args):
        raise NotImplementedError

    result, printed = drawn(capsys, teaching_deep.boundary_explorer(
        not_written_yet, _snapshots(2), [0, 30], X, y, ACTS))
    assert result is None
    assert "write `forward` above first" in printed


def test_one_epoch_per_snapshot_is_required():
    with pytest.raises(ValueError, match="one epoch per snapshot: got 2 snapshots and 1 epochs"):
        teaching_deep.decision_boundaries(my_forward, _snapshots(2), [0], X, y, ACTS)
