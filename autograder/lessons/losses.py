"""Checks for lesson 05, loss functions."""

import numpy as np

from ann_lib import losses as ref
from autograder.checks.core import Exercise, Mistake, Property, case, expect, fmt
from autograder.checks.reach import Reach
from autograder.lessons import self_check_for

__all__ = ["expect", "self_check", "mse", "mae", "huber", "log_cosh", "quantile",
           "kinked_at_zero", "binary_cross_entropy", "hinge", "mse_and_grad", "huber_and_grad"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


def _regression_pairs(rng):
    """(y_true, y_pred) pairs: hand-made, with outliers, 1-D and 2-D."""
    return [(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.5, 1.0, 3.0, 6.0])),
            (np.array([0.0, -2.0, 5.0]), np.array([0.25, 1.0, -0.5])),
            (np.array([3.0, 3.0]), np.array([3.0, 3.0])),
            (rng.normal(size=7), rng.normal(size=7)),
            (3 * rng.normal(size=12), 3 * rng.normal(size=12)),
            (rng.normal(size=(5, 2)), rng.normal(size=(5, 2)))]


# --- mse: loss and cost ---------------------------------------------------------------------

def _mse_cases(rng):
    pairs = _regression_pairs(rng)
    return [*(case(t, p) for t, p in pairs),
            *(case(t, p, reduction="none") for t, p in pairs[:2] + pairs[3:5]),
            case(np.array([2.0, 0.0, 1.0]), np.array([1.0, 1.0, 1.0]), reduction="mean")]


def mse_sum(y_true, y_pred, reduction="mean"):
    losses = (y_true - y_pred) ** 2
    return np.sum(losses) if reduction == "mean" else losses


def mse_not_squared(y_true, y_pred, reduction="mean"):
    losses = y_true - y_pred
    return np.mean(losses) if reduction == "mean" else losses


def mse_always_cost(y_true, y_pred, reduction="mean"):
    return np.mean((y_true - y_pred) ** 2)


def mse_square_of_mean(y_true, y_pred, reduction="mean"):
    if reduction == "mean":
        return np.mean(y_true - y_pred) ** 2
    return (y_true - y_pred) ** 2


mse = Exercise(
    name="mse",
    plot="residual",
    reference=ref.mse,
    cases=_mse_cases,
    mistakes=[
        Mistake(mse_sum, "missing 1/n: you added the squared errors up, but the cost is their "
                         "average; divide by the number of values (np.mean does it)."),
        Mistake(mse_not_squared, "the residuals are not squared: without the square, positive "
                                 "and negative errors cancel each other out."),
        Mistake(mse_always_cost, 'reduction="none" must return the loss of every sample (one '
                                 'squared error each), not the cost (their mean).'),
        Mistake(mse_square_of_mean, "you squared the average residual; square every residual "
                                    "first, then take the mean."),
    ],
)


# --- mae ------------------------------------------------------------------------------------

def _cost_cases(rng):
    return [case(t, p) for t, p in _regression_pairs(rng)]


def mae_no_abs(y_true, y_pred):
    return np.mean(y_true - y_pred)


def mae_abs_of_mean(y_true, y_pred):
    return np.abs(np.mean(y_true - y_pred))


def mae_sum(y_true, y_pred):
    return np.sum(np.abs(y_true - y_pred))


mae = Exercise(
    name="mae",
    reference=ref.mae,
    cases=_cost_cases,
    mistakes=[
        Mistake(mae_no_abs, "the absolute value is missing: an over-prediction and an "
                            "under-prediction of the same size must both count, not cancel."),
        Mistake(mae_abs_of_mean, "you took |.| of the mean residual; take the absolute value of "
                                 "each residual first, then average."),
        Mistake(mae_sum, "MAE is an average: your total of the |r| values still has to be "
                         "divided by the number of values."),
    ],
)


# --- huber ----------------------------------------------------------------------------------

def _huber_cases(rng):
    pairs = _regression_pairs(rng)
    return [*(case(t, p) for t, p in pairs),
            case(np.array([0.0, 0.0, 0.0, 0.0]), np.array([0.5, -1.5, 3.0, -2.0]), delta=2.0),
            case(*pairs[4], delta=0.5),
            case(*pairs[5], delta=2.5)]


def huber_no_half(y_true, y_pred, delta=1.0):
    a = np.abs(y_true - y_pred)
    return np.mean(np.where(a <= delta, a**2, delta * (a - delta / 2)))


def huber_no_shift(y_true, y_pred, delta=1.0):
    a = np.abs(y_true - y_pred)
    return np.mean(np.where(a <= delta, a**2 / 2, delta * a))


def huber_swapped(y_true, y_pred, delta=1.0):
    a = np.abs(y_true - y_pred)
    return np.mean(np.where(a > delta, a**2 / 2, delta * (a - delta / 2)))


huber = Exercise(
    name="huber",
    reference=ref.huber,
    cases=_huber_cases,
    mistakes=[
        Mistake(huber_no_half, "the quadratic part is r^2 / 2, not r^2: with the half, its "
                               "slope at |r| = delta is delta, matching the linear part."),
        Mistake(huber_no_shift, "the linear part is delta * (|r| - delta / 2); without the "
                                "- delta / 2 the two pieces do not meet at |r| = delta."),
        Mistake(huber_swapped, "the pieces are swapped: small residuals (|r| <= delta) are "
                               "squared, large ones grow only linearly."),
    ],
)


# --- log_cosh: stable for large residuals ---------------------------------------------------

def _log_cosh_cases(rng):
    pairs = _regression_pairs(rng)
    return [*(case(t, p) for t, p in pairs),
            case(np.array([800.0, 0.5, -2.0]), np.zeros(3)),        # r = +800: cosh overflows
            case(np.zeros(3), np.array([750.0, 1.0, -0.5])),        # r = -750
            case(np.array([1000.0, -1000.0]), np.zeros(2)),
            case(np.zeros((3, 2)), 300 * rng.normal(size=(3, 2)))]


def log_cosh_overflow(y_true, y_pred):
    return np.mean(np.log(np.cosh(y_true - y_pred)))


def log_cosh_no_abs(y_true, y_pred):
    r = y_true - y_pred
    return np.mean(r + np.log1p(np.exp(-2 * r)) - np.log(2))


def log_cosh_no_log2(y_true, y_pred):
    a = np.abs(y_true - y_pred)
    return np.mean(a + np.log1p(np.exp(-2 * a)))


def log_cosh_without_log(y_true, y_pred):
    return np.mean(np.cosh(y_true - y_pred))


log_cosh = Exercise(
    name="log_cosh",
    reference=ref.log_cosh,
    cases=_log_cosh_cases,
    mistakes=[
        Mistake(log_cosh_overflow, "np.cosh(r) overflows to inf once |r| passes about 710, so "
                                   "one large residual makes the whole cost inf. Use the "
                                   "stable form |r| + log1p(exp(-2 |r|)) - log 2, which only "
                                   "ever takes exp of a number <= 0."),
        Mistake(log_cosh_no_abs, "the stable form needs |r|, not r: with r = -750, "
                                 "exp(-2 r) = exp(1500) overflows. Take a = |r| first "
                                 "(log cosh is even, so nothing else changes)."),
        Mistake(log_cosh_no_log2, "the - log 2 is missing: log(cosh r) is 0 at r = 0, but "
                                  "|r| + log1p(exp(-2 |r|)) is log 2 there (it is log(2 cosh r))."),
        Mistake(log_cosh_without_log, "you averaged cosh(r) itself; the loss is its logarithm, "
                                      "log(cosh r), which grows like |r| and not like e^|r|."),
    ],
)


# --- quantile (pinball) ---------------------------------------------------------------------

def _quantile_cases(rng):
    pairs = _regression_pairs(rng)
    qs = (0.9, 0.25, 0.75, 0.1, 0.6, 0.3)
    return [*(case(t, p, q=q) for (t, p), q in zip(pairs, qs)),
            case(np.array([0.0, 0.0, 0.0, 0.0]), np.array([1.0, -1.0, 2.0, -0.5]), q=0.8),
            case(*pairs[0]),
            case(*pairs[4], q=1.0),
            case(*pairs[3], q=0.0)]


def quantile_swapped(y_true, y_pred, q=0.5):
    r = y_true - y_pred
    return np.mean(np.where(r >= 0, (1 - q) * r, -q * r))


def quantile_negative_branch(y_true, y_pred, q=0.5):
    r = y_true - y_pred
    return np.mean(np.where(r >= 0, q * r, (1 - q) * r))


def quantile_same_weight(y_true, y_pred, q=0.5):
    return np.mean(q * np.abs(y_true - y_pred))


quantile = Exercise(
    name="quantile",
    reference=ref.quantile,
    cases=_quantile_cases,
    mistakes=[
        Mistake(quantile_swapped, "q and 1 - q are swapped: an under-prediction (r = y_true - "
                                  "y_pred > 0) costs q per unit, an over-prediction 1 - q. "
                                  "(Computing r as y_pred - y_true swaps them too.)"),
        Mistake(quantile_negative_branch, "over-predictions (r < 0) give a negative loss: their "
                                          "piece is (q - 1) r, which is (1 - q) |r| >= 0, not "
                                          "(1 - q) r."),
        Mistake(quantile_same_weight, "q * |r| weighs both sides the same, so it is just a "
                                      "scaled MAE; over-predictions (r < 0) cost 1 - q per "
                                      "unit, not q."),
    ],
)


# --- kinked_at_zero: read the family portrait -------------------------------------------------

KINKED = frozenset("be")
_PANELS = "abcdef"
FLAT_TUBE = ("(f), the epsilon-insensitive loss, is flat around 0: it is 0 on the whole tube "
             "|r| <= epsilon, so its corners are at r = -epsilon and r = epsilon, not at 0.")
QUANTILE_CORNER = ("(e), the quantile loss, has a corner at 0 for every q: its slope jumps from "
                   "q - 1 on the left to q on the right.")
SMOOTH_HUBER = ("(c), Huber, is smooth at 0: there it is r^2 / 2, and where it turns linear the "
                "two pieces meet with the same slope.")
SMOOTH_LOG_COSH = "(d), log-cosh, is smooth everywhere: near 0 it behaves like r^2 / 2."
ABSOLUTE_CORNER = "(b), the absolute loss |r|, has a corner at 0: its slope jumps from -1 to 1."
_READINGS = ((lambda got: "f" in got, FLAT_TUBE), (lambda got: "e" not in got, QUANTILE_CORNER),
             (lambda got: "c" in got, SMOOTH_HUBER), (lambda got: "d" in got, SMOOTH_LOG_COSH),
             (lambda got: "b" not in got, ABSOLUTE_CORNER))


def _judge_kinked(student):
    answer = student()
    got = ({letter for letter in answer.lower() if letter not in " ,"}
           if isinstance(answer, str) else None)
    if got is None or not got <= set(_PANELS):
        return (f"`kinked_at_zero` should return the panel letters from 'a' to 'f' as one "
                f"string, such as \"ac\", but it returned {fmt(answer)}.")
    if got == KINKED:
        return None
    lead = (f"`kinked_at_zero` is not right yet: {''.join(sorted(got))!r} is not the set of "
            "curves with a corner at r = 0.")
    for wrong, why in _READINGS:
        if wrong(got):
            return f"{lead} {why}"
    return lead


def kinked_with_the_tube():
    return "bef"


def kinked_only_absolute():
    return "b"


def kinked_with_huber():
    return "bce"


kinked_at_zero = Property(
    name="kinked_at_zero",
    judge=_judge_kinked,
    mistakes=[
        Mistake(kinked_with_the_tube, FLAT_TUBE),
        Mistake(kinked_only_absolute, QUANTILE_CORNER),
        Mistake(kinked_with_huber, SMOOTH_HUBER),
    ],
)


# --- binary_cross_entropy -------------------------------------------------------------------

def _bce_cases(rng):
    cases = [case(np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.9, 0.1, 0.5, 0.2])),
             case(np.array([1.0, 0.0]), np.array([0.0, 1.0])),
             case(np.array([1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.7])),
             case(np.array([0.0, 1.0, 1.0, 0.0]), np.array([0.0, 0.3, 1.0, 0.6]))]
    for n in (6, 11):
        y = (rng.random(n) < 0.5).astype(float)
        cases.append(case(y, rng.uniform(0.01, 0.99, n)))
    return cases


def bce_no_clip(y_true, y_pred):
    return -np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))


def bce_sign(y_true, y_pred):
    p = np.clip(y_pred, 1e-12, 1 - 1e-12)
    return np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def bce_only_positive_term(y_true, y_pred):
    p = np.clip(y_pred, 1e-12, 1 - 1e-12)
    return -np.mean(y_true * np.log(p))


binary_cross_entropy = Exercise(
    name="binary_cross_entropy",
    reference=ref.binary_cross_entropy,
    cases=_bce_cases,
    mistakes=[
        Mistake(bce_no_clip, "unstable cross-entropy: without clipping, p = 0 or p = 1 gives "
                             "log(0) = -inf, and the cost becomes inf or nan. Clip p to "
                             "[1e-12, 1 - 1e-12] first (np.clip)."),
        Mistake(bce_sign, "the sign is wrong: log(p) <= 0, so the cross-entropy needs a minus "
                          "in front to be a cost >= 0."),
        Mistake(bce_only_positive_term, "the (1 - y) * log(1 - p) term is missing, so samples of "
                                        "class 0 never cost anything."),
    ],
    rtol=1e-5,
)


# --- hinge ----------------------------------------------------------------------------------

def _hinge_reference(y_true, scores):
    """The mean hinge loss for labels given as 0/1 or as -1/+1."""
    return ref.hinge(np.where(np.asarray(y_true) > 0, 1.0, -1.0), scores)


def _hinge_cases(rng):
    cases = [case(np.array([1.0, 0.0, 1.0, 0.0]), np.array([2.0, -0.5, 0.3, 0.4])),
             case(np.array([1.0, -1.0, -1.0, 1.0]), np.array([0.5, -3.0, 1.0, -0.2])),
             case(np.array([0.0, 0.0, 1.0]), np.array([-2.0, 1.5, 1.0])),
             case(np.array([-1.0, 1.0]), np.array([-1.0, 2.0]))]
    for n in (7, 10):
        y = (rng.random(n) < 0.5).astype(float)
        cases.append(case(y, 2 * rng.normal(size=n)))
        cases.append(case(2 * y - 1, 2 * rng.normal(size=n)))
    return cases


def hinge_01_labels(y_true, scores):
    return np.mean(np.maximum(0, 1 - y_true * scores))


def hinge_2y_minus_1(y_true, scores):
    t = 2 * y_true - 1
    return np.mean(np.maximum(0, 1 - t * scores))


def hinge_no_max(y_true, scores):
    t = np.where(y_true > 0, 1.0, -1.0)
    return np.mean(1 - t * scores)


hinge = Exercise(
    name="hinge",
    reference=_hinge_reference,
    cases=_hinge_cases,
    mistakes=[
        Mistake(hinge_01_labels, "hinge with 0/1 labels: a label 0 makes y * s = 0, so every "
                                 "class-0 sample costs 1 whatever its score. Turn the labels "
                                 "into t = -1/+1 first."),
        Mistake(hinge_2y_minus_1, "2y - 1 converts 0/1 labels, but turns a label that is already "
                                  "-1 into -3; map every label <= 0 to -1 and every label > 0 "
                                  "to +1 instead."),
        Mistake(hinge_no_max, "the max(0, .) is missing: a sample classified right beyond the "
                              "margin must cost 0, not a negative amount."),
    ],
)


# --- mse_and_grad: the cost and its gradient, derived ----------------------------------------

def _ref_mse_and_grad(y_true, y_pred):
    return ref.mse(y_true, y_pred), ref.mse_grad(y_true, y_pred)


def _grad_cases(rng):
    return [case(t, p) for t, p in _regression_pairs(rng)]


def mse_and_grad_no_mean(y_true, y_pred):
    r = y_true - y_pred
    return np.mean(r ** 2), -2 * r


def mse_and_grad_sign(y_true, y_pred):
    r = y_true - y_pred
    return np.mean(r ** 2), 2 * r / r.size


def mse_and_grad_no_two(y_true, y_pred):
    r = y_true - y_pred
    return np.mean(r ** 2), -r / r.size


def mse_and_grad_len_rows(y_true, y_pred):
    r = y_true - y_pred
    return np.mean(r ** 2), -2 * r / len(r)


def mse_and_grad_summed_cost(y_true, y_pred):
    r = y_true - y_pred
    return np.sum(r ** 2), -2 * r / r.size


mse_and_grad = Exercise(
    name="mse_and_grad",
    reference=_ref_mse_and_grad,
    cases=_grad_cases,
    returns=("cost", "gradient"),
    mistakes=[
        Mistake(mse_and_grad_no_mean, "the gradient is missing the factor 1/n: the cost averages "
                                      "n losses, so each prediction's share of the gradient is "
                                      "divided by n."),
        Mistake(mse_and_grad_sign, "sign error in the gradient: the derivative of "
                                   "(y_true - y_pred)^2 with respect to y_pred is "
                                   "-2 (y_true - y_pred), i.e. 2 (y_pred - y_true)."),
        Mistake(mse_and_grad_no_two, "the factor 2 from differentiating the square is missing: "
                                     "d/dp (y - p)^2 = 2 (p - y)."),
        Mistake(mse_and_grad_len_rows, "len(y_pred) counts only the rows: for predictions of "
                                       "shape (n_samples, n_outputs) the MSE cost averages all "
                                       "y_pred.size values, so divide by y_pred.size."),
        Mistake(mse_and_grad_summed_cost, "the cost is the sum of the squared errors; the MSE "
                                          "cost is their mean."),
    ],
)


# --- huber_and_grad: the gradient of a robust cost --------------------------------------------

def _ref_huber_and_grad(y_true, y_pred, delta=1.0):
    return ref.huber(y_true, y_pred, delta), ref.huber_grad(y_true, y_pred, delta)


def _huber_grad_cases(rng):
    pairs = _regression_pairs(rng)
    return [*(case(t, p) for t, p in pairs),
            case(np.array([0.0, 0.0, 0.0, 0.0]), np.array([0.5, -0.25, 3.0, -2.0])),
            case(np.array([0.0, 0.0, 0.0, 0.0]), np.array([0.5, -1.5, 3.0, -2.0]), delta=2.0),
            case(np.array([1.0, -1.0]), np.array([0.0, 0.0]), delta=1.0),   # |r| = delta
            case(*pairs[4], delta=0.5),
            case(*pairs[5], delta=0.75)]


def huber_and_grad_no_mean(y_true, y_pred, delta=1.0):
    r = y_true - y_pred
    a = np.abs(r)
    cost = np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta)))
    return cost, -np.clip(r, -delta, delta)


def huber_and_grad_sign(y_true, y_pred, delta=1.0):
    r = y_true - y_pred
    a = np.abs(r)
    cost = np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta)))
    return cost, np.clip(r, -delta, delta) / r.size


def huber_and_grad_no_clip(y_true, y_pred, delta=1.0):
    r = y_true - y_pred
    a = np.abs(r)
    cost = np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta)))
    return cost, -r / r.size


def huber_and_grad_unsigned_linear(y_true, y_pred, delta=1.0):
    r = y_true - y_pred
    a = np.abs(r)
    cost = np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta)))
    return cost, np.where(np.abs(r) <= delta, -r, -delta) / r.size


def huber_and_grad_fixed_delta(y_true, y_pred, delta=1.0):
    r = y_true - y_pred
    a = np.abs(r)
    cost = np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta)))
    return cost, -np.clip(r, -1.0, 1.0) / r.size


huber_and_grad = Exercise(
    name="huber_and_grad",
    reference=_ref_huber_and_grad,
    cases=_huber_grad_cases,
    returns=("cost", "gradient"),
    mistakes=[
        Mistake(huber_and_grad_no_mean, "the factor 1/n is missing: the Huber cost is a mean of "
                                        "n losses, so every entry of its gradient is divided by "
                                        "n = y_pred.size."),
        Mistake(huber_and_grad_sign, "the gradient has the wrong sign: r = y_true - y_pred, so "
                                     "d r / d y_pred = -1 and the gradient is -clip(r, -delta, "
                                     "delta) / n."),
        Mistake(huber_and_grad_no_clip, "the linear part is not clipped: beyond |r| = delta the "
                                        "loss grows linearly, so its slope stays at delta in "
                                        "size instead of growing with r (that is the squared "
                                        "loss's gradient)."),
        Mistake(huber_and_grad_unsigned_linear, "in the linear part the slope is "
                                                "delta * sign(r), not delta: a large "
                                                "over-prediction and a large under-prediction "
                                                "pull in opposite directions."),
        Mistake(huber_and_grad_fixed_delta, "the gradient is clipped at 1 whatever delta is; "
                                            "the linear pieces have slope delta, so clip at "
                                            "-delta and delta."),
    ],
    uses=("huber",),  # the solution's cost is your huber, and the visible test differentiates it
)


#: While graded: the data sets and lesson 06's numerical gradient (the huber_and_grad visible test).
GRADED = Reach(ann_lib=("datasets", "gradcheck"))
