"""Lesson 08, the capstone: training curves, model comparison, confusion matrix, and an explorer
that retrains the learner's network with new hyperparameters."""

import contextlib

import numpy as np

from ann_lib.teaching import canvas, learner


def training_curves(curves, title="Training cost per epoch"):
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


def model_comparison(accuracies, seconds, target=None):
    """Two bar charts side by side: test accuracy and training time of each learner.

    Parameters
    ----------
    accuracies : dict of str -> float
        Test accuracy (0 to 1) per learner.
    seconds : dict of str -> float
        Training time in seconds per learner (same keys).
    target : float, optional
        Drawn as a dashed line on the accuracy panel.

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
    ax_acc.set_ylim(min(80.0, min(acc) - 5), 101)
    ax_acc.set_ylabel("test accuracy (%)")
    ax_acc.set_title("Accuracy on the held-out test set")
    ms = [1000 * seconds[n] for n in names]
    bars = ax_time.bar(names, ms, color=colors)
    ax_time.bar_label(bars, fmt="%.0f ms")
    ax_time.set_ylabel("training time (ms)")
    ax_time.set_title("Training time")
    ax_time.set_ylim(0, 1.2 * max(ms))
    for ax in (ax_acc, ax_time):
        ax.grid(alpha=0.3, axis="y")
    return fig


def confusion_matrix(y_true, y_pred, labels=("class 0", "class 1"), title="Confusion matrix"):
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


def one_blas_thread():
    """Context manager: BLAS on one thread while it lasts (these small matrices run several
    times faster so, above all on a busy machine); a no-op without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


def training_explorer(train, predict, X_train, y_train, X_test, y_test, seed=0):
    """Sliders for learning rate, hidden units and epochs; retrains the learner's network and
    redraws its training cost on release.

    Runs the learner's ``train(X, y, n_hidden, learning_rate, epochs, seed) -> (params,
    history)`` and ``predict(X, params)``; until both are written the explorer says so.

    Parameters
    ----------
    train, predict : callable or None
        The learner's functions.
    X_train, X_test : ndarray of shape (n_samples, n_features)
        Standardized features.
    y_train, y_test : ndarray of 0/1, shape (n_samples,)
    seed : int
        Passed to ``train``.

    Returns
    -------
    ipywidgets.interactive
        Its ``result`` is the test accuracy of the last training run, or None when nothing was
        drawn.
    """
    W = canvas.widgets()
    y_test = np.asarray(y_test).reshape(-1)

    def params_and_history(out):
        params, history = out
        history = learner.floats(history).reshape(-1)
        if history.size == 0:
            raise ValueError("an empty loss history")
        return params, history

    @learner.says_why
    def show(learning_rate=0.5, n_hidden=16, epochs=100):
        with one_blas_thread():
            params, history = learner.call(train, "train", X_train, y_train, n_hidden=n_hidden,
                                           learning_rate=learning_rate, epochs=epochs, seed=seed,
                                           convert=params_and_history)
            accuracy = learner.call(predict, "predict", X_test, params,
                                    convert=lambda p: float(np.mean(np.asarray(p).reshape(-1)
                                                                    == y_test)))
        fig, ax = canvas.figure(figsize=(6.5, 3.6))
        ax.plot(np.arange(1, history.size + 1), history, lw=2)
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training cost (log scale)")
        ax.set_title(f"your network: test accuracy {accuracy:.1%}, final training cost "
                     f"{history[-1]:.4f}", fontsize=10)
        ax.grid(alpha=0.3, which="both")
        canvas.show()
        return accuracy

    return W.interactive(
        show,
        learning_rate=W.FloatLogSlider(value=0.5, base=10, min=-3, max=1, step=0.1,
                                       description="learning rate", continuous_update=False),
        n_hidden=W.IntSlider(value=16, min=1, max=64, description="hidden units",
                             continuous_update=False),
        epochs=W.IntSlider(value=100, min=5, max=300, step=5, description="epochs",
                           continuous_update=False),
    )
