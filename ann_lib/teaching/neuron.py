"""Lesson 01, one neuron: how the bias slides its response, and an explorer of the learner's neuron."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib import activations
from ann_lib.teaching import canvas, learner

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The transfer functions the neuron explorer offers.
TRANSFER = {"sigmoid": activations.sigmoid, "step": activations.step, "tanh": activations.tanh,
            "relu": activations.relu}


def bias_shift(activation: Callable, w: float = 1.0, biases: Sequence[float] = (-2.0, 0.0, 2.0),
               x: ArrayLike | None = None) -> Figure:
    """One-input neuron ``activation(w * x + b)`` drawn for several biases.

    Parameters
    ----------
    activation : callable
        Element-wise transfer function f(z).
    w : float
        The neuron's weight.
    biases : sequence of float
        One curve per bias.
    x : ndarray of shape (n_points,), optional
        Input values; defaults to 241 points on [-6, 6].

    Returns
    -------
    matplotlib.figure.Figure
    """
    x = np.linspace(-6, 6, 241) if x is None else np.asarray(x, dtype=float)
    fig, ax = canvas.figure(figsize=(6.5, 3.8))
    for b in biases:
        line, = ax.plot(x, activation(w * x + b), lw=2, label=f"b = {b:g}")
        if w != 0:
            ax.axvline(-b / w, color=line.get_color(), ls=":", lw=1)
    ax.axhline(0.5, color="grey", lw=0.8)
    ax.set_xlabel("input x")
    ax.set_ylabel(f"output a = f({w:g} x + b)")
    ax.set_title("The bias slides the neuron's response; dotted: x = -b / w")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return fig


def neuron_explorer(neuron_output: Callable | None) -> Any:
    """Sliders for w and b of a one-input neuron; plots the learner's ``neuron_output`` over x.

    Parameters
    ----------
    neuron_output : callable or None
        The learner's ``neuron_output(X, w, b, activation)``, called with X of shape (241, 1)
        (x on [-6, 6]) and w of shape (1,). Until it is written the explorer says so.

    Returns
    -------
    ipywidgets.interactive
        Its ``result`` holds the plotted outputs, shape (241,), or None when nothing was drawn.
    """
    W = canvas.widgets()
    x = np.linspace(-6, 6, 241)

    @learner.says_why
    def show(w=1.0, b=0.0, f="sigmoid"):
        a = learner.call(neuron_output, "neuron_output", x[:, None], np.array([w]), b,
                         TRANSFER[f], convert=lambda out: learner.floats(out).reshape(x.shape))
        fig, ax = canvas.figure(figsize=(6.5, 3.6))
        ax.plot(x, a, lw=2.5)
        if w != 0:
            ax.axvline(-b / w, color="grey", ls=":", lw=1)
        ax.set_ylim(-1.15, 1.15) if f == "tanh" else ax.set_ylim(-0.1, 1.1 if f != "relu" else 6)
        ax.set_xlabel("input x")
        ax.set_ylabel("output a")
        ax.set_title(f"your neuron: a = {f}({w:.2f} x + {b:.2f})", fontsize=10)
        ax.grid(alpha=0.3)
        canvas.show()
        return a

    return W.interactive(
        show,
        w=W.FloatSlider(value=1.0, min=-4.0, max=4.0, step=0.1, description="weight w"),
        b=W.FloatSlider(value=0.0, min=-6.0, max=6.0, step=0.1, description="bias b"),
        f=W.Dropdown(options=list(TRANSFER), value="sigmoid", description="f"),
    )
