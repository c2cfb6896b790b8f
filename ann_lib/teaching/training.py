"""Lesson 13, the capstone: training and validation curves, model comparison, confusion matrix,
and an explorer that retrains the learner's network with new hyperparameters.

Nothing here that compares or tunes takes the test set: the explorer and the curves report the
validation set, which is there to be looked at as often as needed; the test set is measured once,
at the end of the lesson.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib.teaching import canvas, learner

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def training_curves(curves: Mapping[str, ArrayLike], title: str = "Training cost per epoch") -> Figure:
    """Training cost against epoch for several learners on one axis (log scale).

    Parameters
    ----------
    curves : dict of str -> sequence of float
        One loss history per learner, e.g. ``{"my network": history, "scikit-learn": ...}``.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = canvas.figure(figsize=(6.5, 3.8))
    for (label, history), style in zip(curves.items(), ("-", "--", ":", "-.")):
        history = np.asarray(history, dtype=float)
        ax.plot(np.arange(1, history.size + 1), history, style, lw=2, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean binary cross-entropy (log scale)")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    return fig


def validation_curves(train_history: ArrayLike, val_history: ArrayLike,
                      title: str = "Training and validation cost") -> Figure:
    """Training and validation cost against epoch on one axis (log scale), the epoch of the
    lowest validation cost marked.

    Parameters
    ----------
    train_history, val_history : sequence of float, same length
        The costs before each epoch's step, as ``train_early_stopping`` records them.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    train_history = np.asarray(train_history, dtype=float).reshape(-1)
    val_history = np.asarray(val_history, dtype=float).reshape(-1)
    if train_history.size != val_history.size or val_history.size == 0:
        raise ValueError(f"train_history and val_history need the same, non-zero number of "
                         f"epochs, got {train_history.size} and {val_history.size}")
    fig, ax = canvas.figure(figsize=(6.5, 3.8))
    _draw_validation_curves(ax, train_history, val_history)
    ax.set_title(title)
    return fig


def _draw_validation_curves(ax, train_history, val_history):
    """Both curves and the best epoch on ``ax``; returns the best epoch (counting from 0)."""
    epochs = np.arange(val_history.size)
    best = int(np.argmin(val_history))
    ax.plot(epochs, train_history, lw=2, label="training cost")
    ax.plot(epochs, val_history, lw=2, label="validation cost")
    ax.axvline(best, color="grey", ls="--", lw=1)
    ax.plot([best], [val_history[best]], "o", color="C1",
            label=f"lowest validation cost (epoch {best})")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean binary cross-entropy (log scale)")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    return best


def model_comparison(accuracies: Mapping[str, float], seconds: Mapping[str, float],
                     target: float | None = None, on: str = "validation") -> Figure:
    """Two bar charts side by side: accuracy and training time of each learner.

    Parameters
    ----------
    accuracies : dict of str -> float
        Accuracy (0 to 1) per learner, measured on the `on` set.
    seconds : dict of str -> float
        Training time in seconds per learner (same keys).
    target : float, optional
        Drawn as a dashed line on the accuracy panel.
    on : str, default "validation"
        The name of the set the accuracies were measured on, for the labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = list(accuracies)
    if set(seconds) != set(names):
        raise ValueError(f"accuracies and seconds must name the same learners, got {names} and "
                         f"{list(seconds)}")
    colors = [f"C{i}" for i in range(len(names))]
    fig, (ax_acc, ax_time) = canvas.figure(1, 2, figsize=(8.5, 3.4))
    acc = [100 * accuracies[n] for n in names]
    bars = ax_acc.bar(names, acc, color=colors)
    ax_acc.bar_label(bars, fmt="%.1f%%")
    if target is not None:
        ax_acc.axhline(100 * target, color="grey", ls="--", lw=1, label=f"target {target:.0%}")
        ax_acc.legend(loc="lower right")
    ax_acc.set_ylim(0, 108)   # bars start at 0: a cut axis would blow up small differences
    ax_acc.set_ylabel(f"{on} accuracy (%)")
    ax_acc.set_title(f"Accuracy on the {on} set")
    ms = [1000 * seconds[n] for n in names]
    bars = ax_time.bar(names, ms, color=colors)
    ax_time.bar_label(bars, fmt="%.0f ms")
    ax_time.set_ylabel("training time (ms)")
    ax_time.set_title("Training time")
    ax_time.set_ylim(0, 1.2 * max(ms))
    for ax in (ax_acc, ax_time):
        ax.grid(alpha=0.3, axis="y")
    return fig


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, labels: Sequence[str] = ("class 0", "class 1"),
                     title: str = "Confusion matrix") -> Figure:
    """A 2 x 2 confusion matrix: rows are the true classes, columns the predicted ones.

    Parameters
    ----------
    y_true, y_pred : array_like of 0/1, shape (n_samples,)
    labels : pair of str
        Names of class 0 and class 1.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    y_true = np.asarray(y_true).astype(int).reshape(-1)
    y_pred = np.asarray(y_pred).astype(int).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred {y_pred.size}")
    if not np.isin(np.concatenate([y_true, y_pred]), (0, 1)).all():
        raise ValueError("y_true and y_pred must hold class labels 0 and 1 only")
    counts = np.zeros((2, 2), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    fig, ax = canvas.figure(figsize=(4.2, 3.6))
    ax.imshow(counts, cmap="Blues")
    for i in range(2):
        for j in range(2):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=14,
                    color="white" if counts[i, j] > counts.max() / 2 else "black")
    ax.set_xticks([0, 1], [f"predicted\n{labels[0]}", f"predicted\n{labels[1]}"])
    ax.set_yticks([0, 1], [f"true\n{labels[0]}", f"true\n{labels[1]}"])
    ax.set_title(f"{title}\n(accuracy {np.trace(counts) / counts.sum():.1%})", fontsize=10)
    return fig


def one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """Context manager: BLAS on one thread while it lasts (these small matrices run several
    times faster so, above all on a busy machine); a no-op without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


def training_explorer(train: Callable | None, predict: Callable | None, X_train: ArrayLike,
                      y_train: ArrayLike, X_val: ArrayLike, y_val: ArrayLike, seed: int = 0) -> Any:
    """Sliders for depth, width, learning rate, L2 strength and patience; retrains the learner's
    network with early stopping and redraws its training and validation costs on release.

    Runs the learner's ``train(X_train, y_train, X_val, y_val, layer_sizes, learning_rate, lam,
    max_epochs=200, patience, seed) -> (best_params, train_history, val_history)`` with
    ``layer_sizes = [n_features] + [width] * depth + [1]`` (depth 0: a single neuron) and
    ``predict(X, params)``; until both are written the explorer says so. It reports the
    validation accuracy of the kept parameters and takes no test set: tuning the sliders until a
    test figure looks good would make that figure an optimistic one.

    Parameters
    ----------
    train, predict : callable or None
        The learner's functions.
    X_train, X_val : ndarray of shape (n_samples, n_features)
        Standardized features.
    y_train, y_val : ndarray of 0/1, shape (n_samples,)
    seed : int
        Passed to ``train``.

    Returns
    -------
    ipywidgets.interactive
        Its ``result`` is the validation accuracy of the last training run, or None when
        nothing was drawn.
    """
    W = canvas.widgets()
    y_val = np.asarray(y_val).reshape(-1)
    n_features = np.shape(X_train)[1]

    def histories(out):
        params, train_history, val_history = out
        train_history = learner.floats(train_history).reshape(-1)
        val_history = learner.floats(val_history).reshape(-1)
        if val_history.size == 0 or train_history.size != val_history.size:
            raise ValueError(f"{train_history.size} training and {val_history.size} validation "
                             "costs; it needs one of each per epoch run")
        return params, train_history, val_history

    @learner.says_why
    def show(depth=2, width=16, learning_rate=0.01, lam=1.0, patience=20, max_epochs=200):
        with one_blas_thread():
            params, train_history, val_history = learner.call(
                train, "train", X_train, y_train, X_val, y_val,
                layer_sizes=[n_features] + [width] * depth + [1], learning_rate=learning_rate,
                lam=lam, max_epochs=max_epochs, patience=patience, seed=seed, convert=histories)
            accuracy = learner.call(predict, "predict", X_val, params,
                                    convert=lambda p: float(np.mean(np.asarray(p).reshape(-1)
                                                                    == y_val)))
        fig, ax = canvas.figure(figsize=(6.5, 3.6))
        best = _draw_validation_curves(ax, train_history, val_history)
        ax.set_title(f"your network: validation accuracy {accuracy:.1%} with the parameters of "
                     f"epoch {best}; ran {val_history.size} of {max_epochs} epochs", fontsize=10)
        canvas.show()
        return accuracy

    return W.interactive(
        show,
        depth=W.IntSlider(value=2, min=0, max=3, description="hidden layers",
                          continuous_update=False),
        width=W.IntSlider(value=16, min=1, max=64, description="units each",
                          continuous_update=False),
        learning_rate=W.FloatLogSlider(value=0.01, base=10, min=-4, max=0, step=0.1,
                                       description="learning rate", continuous_update=False),
        lam=W.FloatSlider(value=1.0, min=0.0, max=10.0, step=0.5, description="L2 lambda",
                          continuous_update=False),
        patience=W.IntSlider(value=20, min=1, max=200, description="patience",
                             continuous_update=False),
        max_epochs=W.IntSlider(value=200, min=10, max=300, step=10, description="max epochs",
                               continuous_update=False),
    )
