"""ann_lib.teaching.autograd: the computation graph of a Tensor."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from ann_lib import autograd
from ann_lib.teaching import autograd as figure


def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_the_default_graph_shows_each_node_with_its_value_and_gradient():
    fig = figure.computation_graph()
    shown = texts(fig)
    assert isinstance(fig, Figure)
    for label in ("x", "w", "b", "×", "+", "σ", "L"):
        assert label in shown
    # L = (sigmoid(0.8 * 1.5 + 0.1) - 1)**2, and dL/dw = 2 (a - 1) a (1 - a) x
    a = 1 / (1 + np.exp(-1.3))
    assert f"{(a - 1) ** 2:.3g}" in shown
    assert f"{2 * (a - 1) * a * (1 - a) * 1.5:.3g}" in shown


def test_constants_are_written_in_the_box_of_the_operation_that_uses_them():
    x = autograd.Tensor(2.0)
    x.name = "x"
    y = x - 1.0
    y.backward()
    shown = texts(figure.computation_graph(y))
    assert "+ -1" in shown and "const" not in shown


def test_every_arrow_ends_between_boxes_not_on_a_label():
    fig = figure.computation_graph()
    boxes = [t for t in fig.axes[0].texts if t.get_bbox_patch() is not None]
    arrows = [a for a in fig.axes[0].texts if hasattr(a, "xyann")]
    centres = [t.get_position() for t in boxes]
    for arrow in arrows:
        for end in (arrow.xy, arrow.xyann):
            assert min(abs(end[0] - cx) for cx, _ in centres) >= 0.3


def test_a_graph_too_large_or_not_a_tensor_is_refused():
    x = autograd.Tensor(1.0)
    y = x
    for _ in range(50):
        y = y * 2.0
    with pytest.raises(ValueError, match="at most 40"):
        figure.computation_graph(y)
    with pytest.raises(TypeError, match="not a float"):
        figure.computation_graph(1.0)
