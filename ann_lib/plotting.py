"""Figures for the lessons.

Each function draws one figure with matplotlib and returns it (``None`` while nbgrader grades a
notebook: figures cost time there and are graded by nobody). matplotlib is imported lazily so
that grading never pays for it.
"""

import os

import numpy as np


def grading():
    """True while nbgrader executes the notebook (autograde or validate)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def bias_shift(activation, w=1.0, biases=(-2.0, 0.0, 2.0), x=None):
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
    matplotlib.figure.Figure or None
    """
    if grading():
        return None
    plt = _pyplot()
    x = np.linspace(-6, 6, 241) if x is None else np.asarray(x, dtype=float)
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
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
    fig.tight_layout()
    return fig
