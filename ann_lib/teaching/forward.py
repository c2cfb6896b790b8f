"""Lesson 03, forward propagation: a network's diagram, and an explorer of the learner's forward
pass on a 2-2-1 network."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib import activations
from ann_lib.teaching import canvas, learner

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The hidden activations the forward explorer offers.
HIDDEN = {"sigmoid": activations.sigmoid, "relu": activations.relu, "tanh": activations.tanh}


def network_diagram(layer_sizes: Sequence[int], params: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
                    X: ArrayLike | None = None, activations: Sequence[Callable] | None = None) -> Figure:
    """Draw a fully connected network: one column of neurons per layer, an arrow per weight.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_inputs, hidden_1, ..., n_outputs]``.
    params : list of (W, b), optional
        When given, each connection is coloured by the sign of its weight (blue positive, red
        negative), drawn thicker for larger ``|w|`` and labelled with its value; each neuron is
        labelled with its bias. ``W`` has shape (n_in, n_out), ``b`` shape (n_out,).
    X : ndarray of shape (n_inputs,), optional
        One input sample: with ``params`` and ``activations`` it writes every neuron's output
        (the forward pass ``a = f(a_prev @ W + b)``) inside the neuron.
    activations : sequence of callables, optional
        One activation per layer of ``params``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = canvas.pyplot()
    sizes = list(layer_sizes)
    values = None
    if X is not None and params is not None and activations is not None:
        values = [np.asarray(X, dtype=float).reshape(-1)]
        for (W, b), f in zip(params, activations):
            values.append(np.asarray(f(values[-1] @ W + b), dtype=float).reshape(-1))
    fig, ax = canvas.figure(figsize=(1.9 * len(sizes) + 2.5, 0.9 * max(sizes) + 1.8))

    def position(layer, i):
        return layer * 2.0, (sizes[layer] - 1) / 2 - i

    for layer in range(len(sizes) - 1):
        for i in range(sizes[layer]):
            for j in range(sizes[layer + 1]):
                (x0, y0), (x1, y1) = position(layer, i), position(layer + 1, j)
                if params is None:
                    ax.plot([x0, x1], [y0, y1], color="grey", lw=1, zorder=1)
                    continue
                w = float(params[layer][0][i, j])
                ax.plot([x0, x1], [y0, y1], color="tab:blue" if w >= 0 else "tab:red",
                        lw=0.8 + 1.2 * min(abs(w), 3), alpha=0.8, zorder=1)
                t = 0.5 if sizes[layer + 1] == 1 else (0.25 if i % 2 == 0 else 0.4)
                ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), f"{w:g}", fontsize=8,
                        ha="center", va="center", zorder=3,
                        bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))
    for layer, n in enumerate(sizes):
        for i in range(n):
            x, y = position(layer, i)
            ax.add_patch(plt.Circle((x, y), 0.3, fc="lightyellow" if layer else "lavender",
                                    ec="black", zorder=2))
            if values is not None:
                label = f"{values[layer][i]:.3g}"
            elif layer == 0:
                label = f"$x_{i + 1}$"
            else:
                label = f"$a^{{({layer})}}_{i + 1}$"
            ax.text(x, y, label, ha="center", va="center", fontsize=9, zorder=4)
            if params is not None and layer > 0:
                ax.text(x, y - 0.42, f"b = {float(params[layer - 1][1][i]):g}", ha="center",
                        va="top", fontsize=8, color="dimgrey")
    for layer in range(len(sizes)):
        name = ("input" if layer == 0 else "output" if layer == len(sizes) - 1
                else f"hidden {layer}")
        ax.text(layer * 2.0, (max(sizes) - 1) / 2 + 0.75, f"{name}\n({sizes[layer]})",
                ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.8, 2.0 * (len(sizes) - 1) + 0.8)
    ax.set_ylim(-(max(sizes) - 1) / 2 - 1.0, (max(sizes) - 1) / 2 + 1.4)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def forward_explorer(forward: Callable | None) -> Any:
    """Output surface of a 2-2-1 network over the input plane, with sliders on some weights.

    The network starts out computing XOR on the corners of the unit square: hidden neuron 1
    fires when ``x1 + x2 > 0.5``, hidden neuron 2 when ``x1 + x2 > 1.5``, and the output is
    high when only neuron 1 fires. Sliders change neuron 1's two input weights, both output
    weights and the output bias; a dropdown picks the hidden activation (output: sigmoid).

    Parameters
    ----------
    forward : callable or None
        The learner's ``forward(X, params, hidden_activation, output_activation)``, called with
        X of shape (10201, 2). Until it is written the explorer says so.

    Returns
    -------
    ipywidgets.interactive
        Its ``result`` is the output grid, shape (101, 101), or None when nothing was drawn.
    """
    W = canvas.widgets()
    g = np.linspace(-0.5, 1.5, 101)
    G1, G2 = np.meshgrid(g, g)
    X = np.stack([G1.ravel(), G2.ravel()], axis=1)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])

    @learner.says_why
    def show(w11=10.0, w21=10.0, v1=10.0, v2=-10.0, b_out=-5.0, f="sigmoid"):
        params = [(np.array([[w11, 10.0], [w21, 10.0]]), np.array([-5.0, -15.0])),
                  (np.array([[v1], [v2]]), np.array([b_out]))]
        out = learner.call(forward, "forward", X, params, HIDDEN[f], activations.sigmoid,
                           convert=lambda a: learner.floats(a).reshape(G1.shape))
        fig, ax = canvas.figure(figsize=(5.6, 4.6))
        mesh = ax.pcolormesh(G1, G2, out, cmap="coolwarm", vmin=0, vmax=1, shading="auto")
        if out.min() < 0.5 < out.max():
            ax.contour(G1, G2, out, levels=[0.5], colors="black", linewidths=1.5)
        ax.scatter(corners[:, 0], corners[:, 1], c=["tab:blue", "tab:red", "tab:red", "tab:blue"],
                   edgecolors="white", s=90, zorder=3)
        fig.colorbar(mesh, ax=ax, label="output of your network")
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        ax.set_title(f"2-2-1 network, {f} hidden layer; black line: output 0.5", fontsize=9)
        ax.set_aspect("equal")
        canvas.show()
        return out

    slider = dict(min=-20.0, max=20.0, step=0.5)
    return W.interactive(
        show,
        w11=W.FloatSlider(value=10.0, description="W1[0,0]", **slider),
        w21=W.FloatSlider(value=10.0, description="W1[1,0]", **slider),
        v1=W.FloatSlider(value=10.0, description="W2[0,0]", **slider),
        v2=W.FloatSlider(value=-10.0, description="W2[1,0]", **slider),
        b_out=W.FloatSlider(value=-5.0, description="b2[0]", **slider),
        f=W.Dropdown(options=list(HIDDEN), value="sigmoid", description="hidden f"),
    )
