"""Lesson 06, backpropagation: one neuron's computational graph, and a tangent explorer of the
learner's gradient."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib import activations
from ann_lib.teaching import canvas, learner

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def neuron_graph(x: ArrayLike, w: ArrayLike, b: float, y: float) -> Figure:
    """Computational graph of one sigmoid neuron with squared error, forward and backward values.

    The graph is ``z = w . x + b``, ``a = sigmoid(z)``, ``L = (a - y)**2``. Above each node its
    forward value, below it (in red) the gradient of L with respect to it, found by the chain rule
    from right to left.

    Parameters
    ----------
    x, w : ndarray of shape (2,)
        Inputs and weights of a two-input neuron.
    b, y : float
        Bias and target.

    Returns
    -------
    matplotlib.figure.Figure
    """
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    z = float(x @ w + b)
    a = float(activations.sigmoid(z))
    loss = (a - y) ** 2
    dL_da = 2 * (a - y)
    da_dz = float(activations.sigmoid_grad(z))
    dL_dz = dL_da * da_dz
    nodes = {  # name: (x, y, label, forward value, gradient)
        "x1": (0.0, 3.2, "$x_1$", x[0], None),
        "w1": (0.0, 2.3, "$w_1$", w[0], dL_dz * x[0]),
        "x2": (0.0, 1.4, "$x_2$", x[1], None),
        "w2": (0.0, 0.5, "$w_2$", w[1], dL_dz * x[1]),
        "b": (0.0, -0.4, "$b$", b, dL_dz),
        "z": (2.4, 1.4, "$z = w \\cdot x + b$", z, dL_dz),
        "a": (4.8, 1.4, "$a = \\sigma(z)$", a, dL_da),
        "L": (7.2, 1.4, "$L = (a - y)^2$", loss, 1.0),
    }
    fig, ax = canvas.figure(figsize=(10.5, 4.6))
    for src in ("x1", "w1", "x2", "w2", "b"):
        ax.annotate("", xy=(nodes["z"][0] - 0.75, nodes["z"][1]), xytext=(nodes[src][0] + 0.35,
                    nodes[src][1]), arrowprops=dict(arrowstyle="->", color="grey", lw=1.2))
    for s, t in (("z", "a"), ("a", "L")):
        ax.annotate("", xy=(nodes[t][0] - 0.75, nodes[t][1]), xytext=(nodes[s][0] + 0.75,
                    nodes[s][1]), arrowprops=dict(arrowstyle="->", color="grey", lw=1.2))
    for name, (px, py, label, value, grad) in nodes.items():
        ax.text(px, py, label, ha="center", va="center", fontsize=11,
                bbox=dict(boxstyle="round,pad=0.35", fc="#e8f0fb", ec="#4a78b5"))
        sym = f"{name[0]}_{name[1]}" if len(name) == 2 else name
        if px == 0.0:  # an input: value and gradient on the left, where no arrow runs
            ax.text(px - 0.4, py + (0.12 if grad is not None else 0.0), f"{value:.3g}",
                    ha="right", va="center", fontsize=9.5, color="#1f4e8c")
            if grad is not None:
                ax.text(px - 0.4, py - 0.12, f"$\\partial L/\\partial {sym}$ = {grad:.3g}",
                        ha="right", va="top", fontsize=9.5, color="#b22222")
            continue
        ax.text(px, py + 0.38, f"{value:.3g}", ha="center", va="bottom", fontsize=9.5,
                color="#1f4e8c")
        ax.text(px, py - 0.38, f"$\\partial L/\\partial {sym}$ = {grad:.3g}", ha="center",
                va="top", fontsize=9.5, color="#b22222")
    ax.text(3.6, 1.55, f"$\\sigma'(z)$ = {da_dz:.3g}", ha="center", va="bottom", fontsize=9.5,
            color="#b22222")
    ax.text(6.0, 1.55, f"$2(a - y)$ = {dL_da:.3g}", ha="center", va="bottom", fontsize=9.5,
            color="#b22222")
    ax.set_xlim(-2.4, 8.4)
    ax.set_ylim(-1.2, 3.9)
    ax.axis("off")
    ax.set_title(f"One neuron, target y = {y:g}: forward values (blue) left to right, "
                 "gradients (red) right to left", fontsize=10)
    return fig


def tangent_explorer(neuron_gradients: Callable | None) -> Any:
    """Slider on one weight of a sigmoid neuron: the loss curve and the tangent of slope dL/dw1.

    The neuron has inputs ``x = (1.5, -0.5)``, target ``y = 1``, ``w2 = 0.5`` and ``b = 0``;
    the loss is ``L(w1) = (sigmoid(1.5 w1 - 0.25) - 1)**2``. The tangent's slope is the first
    entry of ``dw`` returned by the learner's ``neuron_gradients(x, y, w, b)``; the title gives
    the numerical slope (centred difference) to compare with.

    Parameters
    ----------
    neuron_gradients : callable or None
        The learner's ``neuron_gradients(x, y, w, b) -> (dw, db)``. Until it is written the
        explorer says so.

    Returns
    -------
    ipywidgets.interactive
        Its ``result`` is the slope drawn, a float, or None when nothing was drawn.
    """
    W = canvas.widgets()
    x, y, w2, b = np.array([1.5, -0.5]), 1.0, 0.5, 0.0
    grid = np.linspace(-4, 4, 201)

    def loss(w1):
        return (activations.sigmoid(x[0] * w1 + x[1] * w2 + b) - y) ** 2

    def first_weight_gradient(out):
        return float(np.asarray(out[0], dtype=float).reshape(-1)[0])

    @learner.says_why
    def show(w1=-1.0):
        slope = learner.call(neuron_gradients, "neuron_gradients", x, y, np.array([w1, w2]), b,
                             convert=first_weight_gradient)
        numeric = (loss(w1 + 1e-5) - loss(w1 - 1e-5)) / 2e-5
        fig, ax = canvas.figure(figsize=(6.5, 3.8))
        ax.plot(grid, loss(grid), lw=2.5, label="loss L(w1)")
        ax.plot(grid, loss(w1) + slope * (grid - w1), "--", color="#b22222",
                label=f"tangent, slope = your dL/dw1 = {slope:.4f}")
        ax.plot([w1], [loss(w1)], "o", color="#b22222")
        ax.set_ylim(-0.1, 1.1)
        ax.set_xlabel("weight w1")
        ax.set_ylabel("loss L")
        ax.set_title(f"numerical slope (centred difference) = {numeric:.4f}", fontsize=10)
        ax.legend(loc="upper right", fontsize=9)
        ax.grid(alpha=0.3)
        canvas.show()
        return slope

    return W.interactive(show, w1=W.FloatSlider(value=-1.0, min=-4.0, max=4.0, step=0.05,
                                                description="weight w1"))
