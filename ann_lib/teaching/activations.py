"""Lesson 04, activation functions: every activation with its derivative, and an explorer of the
learner's activations."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib import activations as act
from ann_lib.teaching import canvas, learner

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def activation_panel(z: ArrayLike | None = None) -> Figure:
    """Every activation of lesson 04 (solid) with its derivative (dashed), one panel each.

    The last-but-one panel is a maxout unit of one input with k = 2 pieces,
    ``max(0.5 x - 1, -x)``, and its slope; the last one the step of lesson 01.

    Parameters
    ----------
    z : ndarray of shape (n_points,), optional
        Where to draw; defaults to 401 points on [-4, 4].

    Returns
    -------
    matplotlib.figure.Figure
    """
    z = np.linspace(-4, 4, 401) if z is None else np.asarray(z, dtype=float)
    panels = [("linear", act.linear, act.linear_grad),
              ("sigmoid", act.sigmoid, act.sigmoid_grad),
              ("tanh", act.tanh, act.tanh_grad),
              ("ReLU", act.relu, act.relu_grad),
              ("leaky ReLU (slope 0.1)", act.leaky_relu, act.leaky_relu_grad),
              ("ELU (alpha 1)", act.elu, act.elu_grad)]
    fig, axes = canvas.figure(2, 4, figsize=(13, 5.8))
    axes = axes.ravel()
    for ax, (title, f, df) in zip(axes, panels):
        ax.plot(z, f(z), lw=2.2, label="f(z)")
        ax.plot(z, df(z), lw=1.6, ls="--", label="f'(z)")
        ax.set_title(title, fontsize=10)
    pieces = np.stack([0.5 * z - 1, -z], axis=-1)
    ax = axes[6]
    ax.plot(z, pieces[:, 0], color="grey", lw=0.8, ls=":")
    ax.plot(z, pieces[:, 1], color="grey", lw=0.8, ls=":")
    ax.plot(z, act.maxout(pieces), lw=2.2, label="f(x)")
    ax.plot(z, act.maxout_grad(pieces) @ np.array([0.5, -1.0]), lw=1.6, ls="--", label="f'(x)")
    ax.set_title("maxout: max(0.5x - 1, -x)", fontsize=10)
    ax = axes[7]
    ax.plot(z, act.step(z), lw=2.2, label="f(z)")
    ax.plot(z, act.step_grad(z), lw=1.6, ls="--", label="f'(z)")
    ax.set_title("step (lesson 01): f' = 0", fontsize=10)
    wide = (0, 3, 4, 5, 6)  # panels whose curves leave [-1, 1]
    for i, ax in enumerate(axes):
        ax.axhline(0, color="black", lw=0.6)
        ax.axvline(0, color="black", lw=0.6)
        ax.grid(alpha=0.3)
        ax.set_ylim(*((-2.2, 4.2) if i in wide else (-1.2, 1.2)))
    axes[0].legend(loc="upper left", fontsize=9)
    fig.suptitle("Activation functions (solid) and their derivatives (dashed)")
    return fig


def activation_explorer(sigmoid: Callable | None = None, sigmoid_grad: Callable | None = None,
                        tanh: Callable | None = None, relu: Callable | None = None,
                        relu_grad: Callable | None = None, leaky_relu: Callable | None = None,
                        leaky_relu_grad: Callable | None = None, elu: Callable | None = None,
                        elu_grad: Callable | None = None, leaky_relu_and_grad: Callable | None = None,
                        elu_and_grad: Callable | None = None) -> Any:
    """Pick one of the learner's activations, move its parameter, see it and its derivative.

    Draws the learner's function (solid), the learner's derivative where the lesson asks for one
    (dashed: ``sigmoid_grad``, ``relu_grad``, ``leaky_relu_grad``, ``elu_grad``) and the
    numerical slope of the learner's function, ``(f(z + h) - f(z - h)) / 2h`` (dotted): where the
    derivative is right, the dashed and dotted lines lie on top of each other. A function that is
    not written yet is not drawn; the explorer says which one to write.

    Parameters
    ----------
    sigmoid, sigmoid_grad, tanh, relu, relu_grad : callable or None
        The learner's functions of ``z``.
    leaky_relu, leaky_relu_grad : callable or None
        ``leaky_relu(z, slope)`` and its derivative ``leaky_relu_grad(z, slope)``.
    elu, elu_grad : callable or None
        ``elu(z, alpha)`` and its derivative ``elu_grad(z, alpha)``.
    leaky_relu_and_grad, elu_and_grad : callable or None
        ``leaky_relu_and_grad(z, slope)`` and ``elu_and_grad(z, alpha)``, each returning the pair
        ``(f(z), f'(z))``; given, they take the place of the two functions above.

    Returns
    -------
    ipywidgets.interactive
        Its ``result`` is ``(f(z), f'(z))`` on 401 points of [-5, 5] (``f'(z)`` None when the
        lesson asks for no derivative or it is not written yet), or None when nothing was drawn.
    """
    W = canvas.widgets()
    table = {  # choice: (name, learner f, name of f', learner f', takes a parameter)
        "sigmoid": ("sigmoid", sigmoid, "sigmoid_grad", sigmoid_grad, False),
        "tanh": ("tanh", tanh, None, None, False),
        "relu": ("relu", relu, "relu_grad" if relu_grad else None, relu_grad, False),
        "leaky_relu (parameter = slope)": _pair_or_two("leaky_relu", leaky_relu_and_grad,
                                                       leaky_relu, leaky_relu_grad),
        "elu (parameter = alpha)": _pair_or_two("elu", elu_and_grad, elu, elu_grad),
    }
    z = np.linspace(-5, 5, 401)
    h = 1e-4

    @learner.says_why
    def show(choice="sigmoid", parameter=0.1):
        name, f, grad_name, df, takes_parameter = table[choice]
        extra = (parameter,) if takes_parameter else ()
        fz = learner.call(f, name, z, *extra, convert=learner.floats)
        slope = (learner.call(f, name, z + h, *extra, convert=learner.floats)
                 - learner.call(f, name, z - h, *extra, convert=learner.floats)) / (2 * h)
        dfz, note = None, None
        if grad_name is not None:
            try:
                dfz = learner.call(df, grad_name, z, *extra, convert=learner.floats)
            except learner.NotReady as why:
                note = str(why)
        fig, ax = canvas.figure(figsize=(7, 4))
        ax.plot(z, fz, lw=2.5, label=f"your {name}(z)")
        if dfz is not None:
            ax.plot(z, dfz, lw=2, ls="--", label=f"your {grad_name}(z)")
        ax.plot(z, slope, lw=1.2, ls=":", color="black", label=f"numerical slope of your {name}")
        ax.axhline(0, color="grey", lw=0.6)
        ax.axvline(0, color="grey", lw=0.6)
        ax.set_ylim(-2.5, 5.2)
        ax.set_xlabel("z")
        ax.set_title(note or name + (f" with parameter {parameter:.2f}" if takes_parameter else ""),
                     fontsize=9)
        ax.legend(loc="upper left", fontsize=9)
        ax.grid(alpha=0.3)
        canvas.show()
        return fz, dfz

    return W.interactive(
        show,
        choice=W.Dropdown(options=list(table), value="sigmoid", description="activation"),
        parameter=W.FloatSlider(value=0.1, min=0.0, max=2.0, step=0.05,
                                description="slope/alpha"),
    )


def _pair_or_two(name, pair, f, df):
    """The explorer's table entry for an activation with a parameter: from the learner's
    ``<name>_and_grad`` returning ``(f(z), f'(z))`` when given, else from ``f`` and ``df``."""
    if pair is None:
        return name, f, f"{name}_grad", df, True
    paired = f"{name}_and_grad"

    def value(z, parameter):
        return _value_and_grad(pair(z, parameter))[0]

    def grad(z, parameter):
        return _value_and_grad(pair(z, parameter))[1]

    return paired, value, paired, grad, True


def _value_and_grad(out):
    if not (isinstance(out, tuple) and len(out) == 2):
        raise ValueError(f"it returned {type(out).__name__}, not the pair (value, gradient)")
    return out
