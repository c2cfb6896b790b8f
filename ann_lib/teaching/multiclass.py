"""Lesson 10, multi-class classification: pictures of digits (and of the ones a network gets
wrong), of what its first layer learned, a confusion matrix of k classes, and a softmax explorer
that draws the learner's own softmax."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib.teaching import canvas, learner

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _images(X, side=8):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != side * side:
        raise ValueError(f"expected one image of {side} x {side} pixels per row, shape "
                         f"(n_images, {side * side}), got shape {X.shape}")
    return X.reshape(-1, side, side)


def _mosaic(tiles, cols, gap=1, fill=np.nan):
    """Tiles of shape (n, h, w) laid out in rows of ``cols``, ``gap`` pixels apart: one image
    (a single ``imshow`` draws far faster than one subplot per tile)."""
    n, h, w = tiles.shape
    rows = -(-n // cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), fill)
    for k, tile in enumerate(tiles):
        r, c = divmod(k, cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = tile
    return out


def _tile_grid(tiles, labels, title, cmap, vmin, vmax, cols, label_color="black", label_size=8):
    """One figure: the tiles as a mosaic, each labelled above (blank space shows as white)."""
    n = len(tiles)
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    extra = 0.9 if "\n" in "".join(labels) else 0.55
    fig, ax = canvas.figure(figsize=(0.75 * cols + 0.3, (0.75 + extra * 0.5) * rows + 0.5))
    image = _mosaic(tiles, cols, gap=3 if "\n" in "".join(labels) else 2)
    ax.imshow(np.ma.masked_invalid(image), cmap=cmap, vmin=vmin, vmax=vmax,
              interpolation="nearest")
    ax.set_facecolor("white")
    gap = 3 if "\n" in "".join(labels) else 2
    for k, label in enumerate(labels):
        r, c = divmod(k, cols)
        ax.text(c * (8 + gap) + 3.5, r * (8 + gap) - 0.6, label, ha="center", va="bottom",
                fontsize=label_size, color=label_color)
    ax.axis("off")
    ax.set_title(title, fontsize=10, pad=22 if "\n" in "".join(labels) else 12)
    return fig


def digit_images(X: ArrayLike, y: ArrayLike, title: str, predicted: ArrayLike | None = None,
                 n_max: int = 24, cols: int = 12) -> Figure:
    """A grid of 8 x 8 digit images, each with its label (and the network's answer).

    Parameters
    ----------
    X : ndarray, shape (n_images, 64)
        Pixel intensities 0 to 16, row by row (black = high).
    y : array_like of int, shape (n_images,)
        The true digits.
    title : str
    predicted : array_like of int, shape (n_images,), optional
        What a network answered: each image is then labelled "true 3 / said 8", in red.
    n_max : int, default 24
        At most this many images are shown (the first ones).
    cols : int, default 12

    Returns
    -------
    matplotlib.figure.Figure
        One axes; its texts are the labels, in the order of the images.
    """
    images = _images(X)[:n_max]
    y = np.asarray(y).reshape(-1)[:n_max]
    if not len(images):
        fig, ax = canvas.figure(figsize=(4, 1))
        ax.axis("off")
        ax.set_title(f"{title}: none", fontsize=10)
        return fig
    if predicted is None:
        return _tile_grid(images, [str(int(d)) for d in y], title, "gray_r", 0, 16, cols)
    said = np.asarray(predicted).reshape(-1)[:n_max]
    labels = [f"true {int(t)}\nsaid {int(p)}" for t, p in zip(y, said)]
    return _tile_grid(images, labels, title, "gray_r", 0, 16, cols, "tab:red", 6.5)


def first_layer_weights(W: ArrayLike, title: str, n_max: int = 32, cols: int = 8) -> Figure:
    """What each unit of a first layer looks for: its 64 input weights drawn as an 8 x 8 image.

    Parameters
    ----------
    W : ndarray, shape (64, n_units)
        The first layer's weights; column j belongs to unit j.
    title : str
    n_max : int, default 32
        At most this many units are shown.
    cols : int, default 8

    Returns
    -------
    matplotlib.figure.Figure
        Red: a positive weight (ink there raises the unit's sum), blue: a negative one; each
        unit on its own scale (divided by its largest absolute weight).
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[0] != 64:
        raise ValueError(f"W must have shape (64, n_units), got shape {W.shape}")
    units = W[:, :n_max].T
    scale = np.abs(units).max(axis=1, keepdims=True)
    units = units / np.where(scale > 0, scale, 1.0)
    return _tile_grid(units.reshape(-1, 8, 8), [f"unit {j + 1}" for j in range(len(units))],
                      title, "RdBu_r", -1, 1, cols, label_size=6.5)


def class_confusion(C: ArrayLike, title: str, class_names: Sequence[str] | None = None) -> Figure:
    """A k x k confusion matrix: rows the true classes, columns the predicted ones.

    Parameters
    ----------
    C : array_like of int, shape (k, k)
        ``C[i, j]``: the samples of class i predicted as class j (e.g. the learner's
        ``confusion_matrix``).
    title : str
    class_names : sequence of str, optional
        Default ``0 .. k-1``.

    Returns
    -------
    matplotlib.figure.Figure
        The diagonal (right answers) is left out of the colour scale, so the errors stand out;
        the title gives the accuracy, trace(C) / sum(C).
    """
    C = np.asarray(C)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"a confusion matrix is square, (k, k), got shape {C.shape}")
    k = len(C)
    names = [str(i) for i in range(k)] if class_names is None else [str(n) for n in class_names]
    errors = np.where(np.eye(k, dtype=bool), 0, C)
    fig, ax = canvas.figure(figsize=(0.55 * k + 1.6, 0.55 * k + 1.2))
    ax.imshow(errors, cmap="Reds", vmin=0, vmax=max(1, errors.max()))
    for i in range(k):
        for j in range(k):
            if C[i, j]:
                ax.text(j, i, str(int(C[i, j])), ha="center", va="center", fontsize=8,
                        fontweight="bold" if i == j else "normal")
    ax.set_xticks(range(k), names, fontsize=8)
    ax.set_yticks(range(k), names, fontsize=8)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    total = C.sum()
    accuracy = np.trace(C) / total if total else float("nan")
    ax.set_title(f"{title}\naccuracy {accuracy:.1%}; red: the errors", fontsize=10)
    return fig


def cost_curve(history: ArrayLike, title: str, ylabel: str = "mean cross-entropy (log scale)") -> Figure:
    """One training run's cost against the epoch, on a log scale.

    Parameters
    ----------
    history : sequence of float
        The cost before each epoch's step (as a training loop records it).
    title, ylabel : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    history = np.asarray(history, dtype=float).reshape(-1)
    fig, ax = canvas.figure(figsize=(6.0, 3.2))
    ax.plot(np.arange(1, history.size + 1), history, lw=2)
    if np.all(history > 0):
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")
    return fig


def softmax_explorer(softmax: Callable | None) -> Any:
    """Sliders for three logits and a shift added to all of them: the learner's softmax, as bars.

    Parameters
    ----------
    softmax : callable
        The learner's ``softmax(Z)`` for Z of shape (n_samples, k); it is called on one row,
        ``[[z0 + shift, z1 + shift, z2 + shift]]``.

    Returns
    -------
    ipywidgets.interactive
        Its ``result`` is the row of probabilities drawn, or None when nothing was drawn.
    """
    W = canvas.widgets()

    def probabilities(out):
        P = learner.floats(out)
        if P.shape != (1, 3):
            raise ValueError(f"softmax of one row of 3 logits should have shape (1, 3), "
                             f"not {P.shape}")
        return P[0]

    @learner.says_why
    def show(z0=2.0, z1=1.0, z2=0.0, shift=0.0):
        Z = np.array([[z0, z1, z2]]) + shift
        P = learner.call(softmax, "softmax", Z, convert=probabilities)
        fig, ax = canvas.figure(figsize=(5.2, 3.0))
        shown = np.nan_to_num(P, nan=0.0)
        bars = ax.bar(["class 0", "class 1", "class 2"], shown, color="tab:blue")
        for bar, p in zip(bars, P):
            ax.text(bar.get_x() + bar.get_width() / 2, min(max(bar.get_height(), 0), 1) + 0.03,
                    "nan" if np.isnan(p) else f"{p:.3f}", ha="center", fontsize=9)
        ax.set_ylim(0, 1.15)
        ax.set_ylabel("probability")
        ax.set_title(f"your softmax of [{Z[0, 0]:g}, {Z[0, 1]:g}, {Z[0, 2]:g}]; sum "
                     f"{np.sum(P):.3f}", fontsize=9)
        canvas.show()
        return P

    slider = dict(min=-10.0, max=10.0, step=0.5)
    return W.interactive(show, z0=W.FloatSlider(value=2.0, description="z0", **slider),
                         z1=W.FloatSlider(value=1.0, description="z1", **slider),
                         z2=W.FloatSlider(value=0.0, description="z2", **slider),
                         shift=W.FloatSlider(value=0.0, min=-1000.0, max=1000.0, step=50.0,
                                             description="shift"))
