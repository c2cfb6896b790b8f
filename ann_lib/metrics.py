"""Scoring a classifier: accuracy, the confusion matrix, and precision and recall at every
threshold (as ``sklearn.metrics``).

Labels are 1-D arrays of class numbers ``0 .. k - 1``, one per sample: the true
classes ``y_true`` and the predicted ones ``y_pred`` (for a network with a
softmax output, ``Z.argmax(axis=1)``).
"""

import numpy as np
from numpy.typing import ArrayLike

from ann_lib._validation import as_float_array
from ann_lib.preprocessing import check_labels

__all__ = ["accuracy", "confusion_matrix", "precision_recall_curve"]


def _pair(
    y_true: ArrayLike, y_pred: ArrayLike, n_classes: int | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}: "
                         "both must be 1-D class labels of the same length")
    if n_classes is None:
        n_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1 or 1
    return (check_labels(y_true, n_classes, "y_true"),
            check_labels(y_pred, n_classes, "y_pred"), n_classes)


def accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """The share of samples whose predicted class is the true one.

        accuracy = (1 / n) * sum_i [y_pred[i] == y_true[i]]

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (n_samples,)

    Returns
    -------
    float
        In [0, 1]; ``nan`` for no samples.

    Raises
    ------
    ValueError
        If the shapes differ or a label is not a whole number >= 0.
    """
    y_true, y_pred, _ = _pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred)) if y_true.size else float("nan")


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, n_classes: int | None = None) -> np.ndarray:
    """Counts of every (true class, predicted class) pair.

        C[i, j] = number of samples of class i predicted as class j

    The diagonal holds the right predictions (``trace(C) / n`` is the
    accuracy); row i sums to the number of samples of class i.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (n_samples,)
    n_classes : int, optional
        k, the size of the matrix; default: one more than the largest label.

    Returns
    -------
    C : ndarray of int64, shape (n_classes, n_classes)
        Rows: true classes; columns: predicted classes.
    """
    y_true, y_pred, n_classes = _pair(y_true, y_pred, n_classes)
    C = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(C, (y_true, y_pred), 1)
    return C


# --- binary scores: precision and recall -----------------------------------------------
# Scores of a binary classifier at every decision threshold: precision and recall.
#
# A classifier that outputs a score ``s`` (a probability) predicts the positive class when
# ``s >= threshold``. Against the true labels (1 positive, 0 negative) that makes
#
# * ``TP``: positives predicted positive, ``FP``: negatives predicted positive,
# * ``FN``: positives predicted negative;
#
#     precision = TP / (TP + FP)   (of the samples called positive, the share that are),
#     recall    = TP / (TP + FN)   (of the positives, the share found; also *sensitivity*).
#
# Lowering the threshold finds more positives (recall rises) at the price of more false alarms
# (precision usually falls).

def precision_recall_curve(
    y_true: ArrayLike, scores: ArrayLike, thresholds: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision and recall of ``scores >= t`` for every threshold ``t``.

    Parameters
    ----------
    y_true : array_like of 0/1, shape (n_samples,)
        Labels, 1 for the positive class; at least one positive.
    scores : array_like, shape (n_samples,)
        The classifier's scores (e.g. probabilities of the positive class).
    thresholds : array_like, shape (n_thresholds,), optional
        Default: the distinct scores, in increasing order (every threshold that changes a
        prediction).

    Returns
    -------
    precision : ndarray, shape (n_thresholds,)
        ``TP / (TP + FP)``; 1.0 where nothing is predicted positive (no false alarm is made),
        as in scikit-learn.
    recall : ndarray, shape (n_thresholds,)
        ``TP / (TP + FN)``.
    thresholds : ndarray, shape (n_thresholds,)

    Raises
    ------
    ValueError
        If the shapes differ, the labels are not 0 and 1, or there is no positive.

    Examples
    --------
    >>> precision, recall, t = precision_recall_curve([0, 1, 1], [0.2, 0.6, 0.9], [0.5, 0.7])
    >>> precision.tolist(), recall.tolist()
    ([1.0, 1.0], [1.0, 0.5])
    """
    y = as_float_array(y_true, "y_true")
    s = as_float_array(scores, "scores")
    if y.ndim != 1 or s.shape != y.shape:
        raise ValueError(f"y_true and scores must both have shape (n_samples,), got {y.shape} "
                         f"and {s.shape}: one label and one score per sample")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y_true must hold labels 0 and 1 (1: the positive class)")
    if not np.any(y == 1):
        raise ValueError("y_true has no positive sample: recall is undefined")
    t = np.unique(s) if thresholds is None else as_float_array(thresholds, "thresholds")
    t = t.reshape(-1)
    called = s[None, :] >= t[:, None]                  # (n_thresholds, n_samples)
    tp = (called & (y == 1)).sum(axis=1)
    n_called = called.sum(axis=1)
    precision = np.where(n_called > 0, tp / np.maximum(n_called, 1), 1.0)
    recall = tp / np.sum(y == 1)
    return precision.astype(float), recall.astype(float), t
