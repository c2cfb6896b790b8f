"""Lesson 08, deep networks: per-layer measurements, and the decision boundary of the learner's
network forming over the epochs (snapshots and an explorer)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib.teaching import canvas, learner

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def layer_curves(curves: Mapping[str, ArrayLike], ylabel: str, title: str,
                 log: bool = True) -> Figure:
    """One line per setting of a quantity measured in every layer (a spread, a gradient norm).

    Parameters
    ----------
    curves : dict of str -> sequence of float
        Per setting (e.g. ``"std 0.01"``), the value of each layer, layer 1 first.
    ylabel, title : str
    log : bool, default True
        A logarithmic y axis (values that shrink or grow by a factor per layer fall on lines).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = canvas.figure(figsize=(6.8, 3.8))
    for (label, values), marker in zip(curves.items(), "os^vD<>p"):
        values = np.asarray(values, dtype=float).reshape(-1)
        ax.plot(np.arange(1, values.size + 1), values, marker=marker, lw=1.8, ms=5, label=label)
    if log:
        ax.set_yscale("log")
        # no minor ticks and plain labels (1e-06): over many decades, minor ticks and TeX-style
        # labels cost far more to draw than they tell
        ax.minorticks_off()
        ax.yaxis.set_major_formatter(lambda value, _: f"{value:g}")
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    return fig


def _grid(X, n=81):
    """A square grid covering the points of `X` (n_samples, 2) with a margin: G1, G2 and the
    grid's points as rows, shape (n * n, 2)."""
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    G1, G2 = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))
    return G1, G2, np.stack([G1.ravel(), G2.ravel()], axis=1)


def _output_surface(forward, params, activations, points, shape):
    """The learner's network output on `points`, as an array of `shape` (first output unit)."""
    def first_column(out):
        A = learner.floats(out[0])
        return A.reshape(len(points), -1)[:, 0].reshape(shape)

    return learner.call(forward, "forward", points, params, activations, convert=first_column)


OUTPUT_LABEL = "network output (1 = class 1)"


def _draw(ax, G1, G2, out, X, y, title):
    """The output over the plane (colour), the boundary at 0.5 (black line) and the data: class 0
    as white circles, class 1 as yellow triangles, both edged in black so that they stand out on
    the blue and the red. Returns the image, for a colour bar."""
    image = ax.imshow(out, cmap="coolwarm", vmin=0, vmax=1, origin="lower", aspect="auto",
                      extent=(G1[0, 0], G1[0, -1], G2[0, 0], G2[-1, 0]), interpolation="nearest")
    if np.nanmin(out) < 0.5 < np.nanmax(out):
        ax.contour(G1, G2, out, levels=[0.5], colors="black", linewidths=1.5)
    y = np.asarray(y).reshape(-1) > 0.5
    ax.scatter(X[~y, 0], X[~y, 1], marker="o", c="white", s=16, edgecolors="black",
               linewidths=0.6, label="class 0")
    ax.scatter(X[y, 0], X[y, 1], marker="^", c="gold", s=20, edgecolors="black",
               linewidths=0.6, label="class 1")
    ax.set_title(title, fontsize=9)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$", fontsize=9)
    ax.set_ylabel("$x_2$", fontsize=9)
    ax.tick_params(labelsize=8)
    return image


def _accuracy(forward, params, activations, X, y):
    out = _output_surface(forward, params, activations, X, (len(X),))
    return float(np.mean((out >= 0.5) == (np.asarray(y).reshape(-1) > 0.5)))


def decision_boundaries(forward: Callable | None, snapshots: Sequence[Any], epochs: Sequence[int],
                        X: ArrayLike, y: ArrayLike, activations: Sequence[str],
                        n_panels: int = 6) -> Figure:
    """The learner's network output over the plane at several epochs of its training.

    Parameters
    ----------
    forward : callable
        The learner's ``forward(X, params, activations) -> (A, caches)``.
    snapshots : list of params
        The network's parameters after each epoch of `epochs` (a list of (W, b) per snapshot).
    epochs : sequence of int
        The epoch of each snapshot.
    X : ndarray, shape (n_samples, 2)
    y : ndarray, shape (n_samples,) or (n_samples, 1)
        Labels 0 or 1 (blue and red points).
    activations : list of str
        One per layer, as ``forward`` takes them.
    n_panels : int, default 6
        Snapshots shown, evenly spread from the first to the last.

    Returns
    -------
    matplotlib.figure.Figure
        Colour: the output (blue 0, red 1); black line: output 0.5, the decision boundary.

    Raises
    ------
    ann_lib.teaching.learner.NotReady
        If ``forward`` is not written yet or fails; the message says what to do.
    """
    if len(snapshots) != len(epochs) or not snapshots:
        raise ValueError(f"one epoch per snapshot: got {len(snapshots)} snapshots and "
                         f"{len(epochs)} epochs")
    X = np.asarray(X, dtype=float)
    G1, G2, points = _grid(X)
    shown = sorted(set(np.linspace(0, len(snapshots) - 1, min(n_panels, len(snapshots)))
                       .round().astype(int)))
    cols = min(3, len(shown))
    rows = -(-len(shown) // cols)
    fig, axes = canvas.figure(rows, cols, figsize=(3.2 * cols + 1.0, 3.3 * rows), squeeze=False)
    for ax in axes.ravel()[len(shown):]:
        ax.axis("off")
    for ax, k in zip(axes.ravel(), shown):
        out = _output_surface(forward, snapshots[k], activations, points, G1.shape)
        acc = _accuracy(forward, snapshots[k], activations, X, y)
        image = _draw(ax, G1, G2, out, X, y, f"epoch {epochs[k]}: accuracy {acc:.0%}")
    fig.colorbar(image, ax=axes, shrink=0.8, label=OUTPUT_LABEL)
    axes[0, 0].legend(loc="upper right", fontsize=8, framealpha=0.9)
    return fig


def boundary_explorer(forward: Callable | None, snapshots: Sequence[Any], epochs: Sequence[int],
                      X: ArrayLike, y: ArrayLike, activations: Sequence[str]) -> Any:
    """A slider over the epochs of training: the learner's network output at that epoch.

    Parameters as :func:`decision_boundaries`; the slider steps through `epochs` (the snapshot
    at or just before the chosen epoch is drawn).

    Returns
    -------
    ipywidgets.interactive
        Its ``result`` is the output grid drawn, shape (81, 81), or None when nothing was drawn.
    """
    W = canvas.widgets()
    if len(snapshots) != len(epochs) or not snapshots:
        raise ValueError(f"one epoch per snapshot: got {len(snapshots)} snapshots and "
                         f"{len(epochs)} epochs")
    X = np.asarray(X, dtype=float)
    epochs = [int(e) for e in epochs]
    G1, G2, points = _grid(X)
    step = max(1, min(np.diff(epochs))) if len(epochs) > 1 else 1

    @learner.says_why
    def show(epoch=epochs[0]):
        k = max(i for i, e in enumerate(epochs) if e <= epoch) if epoch >= epochs[0] else 0
        out = _output_surface(forward, snapshots[k], activations, points, G1.shape)
        acc = _accuracy(forward, snapshots[k], activations, X, y)
        fig, ax = canvas.figure(figsize=(5.6, 4.4))
        image = _draw(ax, G1, G2, out, X, y,
                      f"your network after {epochs[k]} epochs: accuracy {acc:.0%}"
                      "\nblack line: output 0.5")
        fig.colorbar(image, ax=ax, shrink=0.8, label=OUTPUT_LABEL)
        ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
        canvas.show()
        return out

    return W.interactive(show, epoch=W.IntSlider(value=epochs[0], min=epochs[0], max=epochs[-1],
                                                 step=step, description="epoch"))
