"""Checks for lesson 02, standardizing the inputs."""

import numpy as np

from ann_lib import preprocessing
from autograder.checks.core import Exercise, Mistake, Property, case, expect, fmt, number_answer
from autograder.lessons import self_check_for

__all__ = ["expect", "self_check", "fit_statistics", "standardize", "standardize_split",
           "predicted_price"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


# --- references, built from ann_lib.preprocessing.StandardScaler ---------------------------

def _scaler(mean, scale):
    """A StandardScaler that has 'learned' the given statistics."""
    s = preprocessing.StandardScaler()
    s.mean_ = np.asarray(mean, dtype=float)
    s.scale_ = np.asarray(scale, dtype=float)
    s.var_ = s.scale_ ** 2
    s.n_features_in_ = s.mean_.size
    return s


def _ref_standardize(X, mean, scale):
    return _scaler(mean, scale).transform(X)


def _ref_split(X_train, X_test):
    s = preprocessing.StandardScaler().fit(X_train)
    return s.transform(X_train), s.transform(X_test)


# --- cases -------------------------------------------------------------------------------

def _data(rng, n, d, constant=()):
    """n samples of d features on very different scales; listed columns constant."""
    X = rng.normal(size=(n, d)) * 10.0 ** rng.integers(-1, 3, size=d) + rng.normal(size=d) * 5
    for j in constant:
        X[:, j] = float(rng.integers(-4, 5))  # an exactly representable mean: std is exactly 0
    return X


def _stat_cases(rng):
    cases = [case(np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]])),
             case(np.array([[2.0, 4.0, 0.0], [4.0, 4.0, 6.0]])),
             case(np.array([[1.0, -1.0, 2.0, 0.0], [2.0, 0.0, 2.0, 1.0], [6.0, 4.0, 2.0, 5.0]]))]
    for n, d, const in ((5, 3, ()), (8, 2, (1,)), (4, 6, (0, 3)), (12, 4, ())):
        cases.append(case(_data(rng, n, d, const)))
    return cases


# --- fit_statistics: the mean and the safe scale of every feature ---------------------------

def _fit_cases(rng):
    cases = _stat_cases(rng) + [case(np.array([[1.0, 5.0, 0.2], [3.0, 5.0, 0.6]])),
                                case(np.array([[2.0, 7.0], [2.0, 9.0], [2.0, 11.0]]))]
    for n, d, const in ((6, 3, (2,)), (9, 4, (0,)), (5, 5, (1, 4))):
        X = _data(rng, n, d, const)
        X[:, -2 if d > 2 else 0] *= 0.01  # a feature with a small but non-zero spread
        cases.append(case(X))
    return cases


def fit_means_per_sample(X):
    mean = X.mean(axis=1)
    std = np.sqrt(((X - X.mean(axis=0)) ** 2).mean(axis=0))
    return mean, np.where(std == 0, 1.0, std)


def fit_mean_of_everything(X):
    mean = np.mean(X)
    std = np.sqrt(((X - mean) ** 2).mean(axis=0))
    return np.full(X.shape[1], mean), np.where(std == 0, 1.0, std)


def fit_sample_std(X):
    mean = X.mean(axis=0)
    std = np.sqrt(((X - mean) ** 2).sum(axis=0) / (len(X) - 1))
    return mean, np.where(std == 0, 1.0, std)


def fit_variance_not_std(X):
    mean = X.mean(axis=0)
    std = ((X - mean) ** 2).mean(axis=0)
    return mean, np.where(std == 0, 1.0, std)


def fit_scale_is_plain_std(X):
    mean = X.mean(axis=0)
    std = np.sqrt(((X - mean) ** 2).mean(axis=0))
    return mean, std


def fit_scale_at_least_one(X):
    mean = X.mean(axis=0)
    std = np.sqrt(((X - mean) ** 2).mean(axis=0))
    return mean, np.maximum(std, 1.0)


def fit_scale_is_inverse_std(X):
    mean = X.mean(axis=0)
    std = np.sqrt(((X - mean) ** 2).mean(axis=0))
    return mean, np.where(std == 0, 1.0, 1.0 / np.where(std == 0, 1.0, std))


def _ref_fit(X):
    s = preprocessing.StandardScaler().fit(X)
    return s.mean_, s.scale_


fit_statistics = Exercise(
    name="fit_statistics",
    reference=_ref_fit,
    cases=_fit_cases,
    returns=("mean", "scale"),
    mistakes=[
        Mistake(fit_means_per_sample, "you averaged each row (one sample's features); a feature "
                                      "is a column, so average down the rows with axis=0."),
        Mistake(fit_mean_of_everything, "you took one mean of the whole table; every feature "
                                        "needs its own mean, down its column (axis=0)."),
        Mistake(fit_sample_std, "that is the sample standard deviation (divides by n - 1, "
                                "ddof=1); standardizing uses the population one, which divides "
                                "by n (ddof=0, NumPy's default)."),
        Mistake(fit_variance_not_std, "the scale is the variance; the standard deviation is its "
                                      "square root."),
        Mistake(fit_scale_is_plain_std, "a constant feature has standard deviation 0, and "
                                        "dividing by a scale of 0 turns its values into nan or "
                                        "inf; give such a feature the scale 1."),
        Mistake(fit_scale_at_least_one, "only a spread of exactly 0 gets the scale 1; a feature "
                                        "whose standard deviation is small but not 0 (like "
                                        "0.004) keeps it."),
        Mistake(fit_scale_is_inverse_std, "you returned 1 / std; the scale is the standard "
                                          "deviation itself (we divide by it later), with 1 for "
                                          "constant features."),
    ],
)


# --- standardize: apply given statistics -------------------------------------------------

def _standardize_cases(rng):
    cases = [case(np.array([[3.0, 20.0], [5.0, 40.0]]), np.array([1.0, 30.0]),
                  np.array([2.0, 10.0])),
             case(np.array([[0.0, 1.0, 2.0]]), np.array([1.0, 1.0, 1.0]), np.array([0.5, 1.0, 4.0])),
             case(np.array([[6.0, -2.0], [6.0, 0.0], [7.0, 2.0]]), np.array([5.0, 1.0]),
                  np.array([1.0, 2.0]))]
    for n, d in ((6, 3), (4, 5), (10, 2)):
        X = _data(rng, n, d)
        cases.append(case(X, rng.normal(size=d) * 3, rng.uniform(0.5, 20.0, size=d)))
    return cases


def refit_on_given_data(X, mean, scale):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def precedence_slip(X, mean, scale):
    return X - mean / scale


def forgot_centering(X, mean, scale):
    return X / scale


standardize = Exercise(
    name="standardize",
    reference=_ref_standardize,
    cases=_standardize_cases,
    mistakes=[
        Mistake(refit_on_given_data, "you computed a fresh mean and standard deviation from the X "
                                     "you were given; use the mean and scale passed in, the ones "
                                     "learned on the training data."),
        Mistake(precedence_slip, "X - mean / scale divides only the mean (division binds tighter "
                                 "than subtraction); write (X - mean) / scale."),
        Mistake(forgot_centering, "the mean was not subtracted, so the result is scaled but not "
                                  "centred on 0."),
    ],
)


# --- standardize_split: fit on the training set, apply to both -----------------------------

def _split_cases(rng):
    cases = [case(np.array([[1.0, 10.0], [3.0, 30.0]]), np.array([[2.0, 50.0], [5.0, 10.0]])),
             case(np.array([[0.0, 4.0], [2.0, 4.0], [4.0, 4.0]]),
                  np.array([[1.0, 3.0], [6.0, 6.0]])),
             # a feature whose spread is small but not 0 (std 0.016) keeps its scale
             case(np.array([[1.0, 0.10], [3.0, 0.14], [5.0, 0.12]]),
                  np.array([[2.0, 0.11], [4.0, 0.16]]))]
    for n, m, d, const in ((8, 4, 3, ()), (10, 3, 2, (0,)), (6, 5, 4, (2,))):
        X_train = _data(rng, n, d, const)
        X_test = X_train[:m] * rng.uniform(0.5, 2.0, size=d) + rng.normal(size=(m, d))
        cases.append(case(X_train, X_test))
    return cases


def refit_on_test(X_train, X_test):
    std = X_train.std(axis=0)
    scale = np.where(std == 0, 1.0, std)
    Z_train = (X_train - X_train.mean(axis=0)) / scale
    Z_test = (X_test - X_test.mean(axis=0)) / X_test.std(axis=0)
    return Z_train, Z_test


def fit_on_train_and_test(X_train, X_test):
    both = np.concatenate([X_train, X_test])
    std = both.std(axis=0)
    scale = np.where(std == 0, 1.0, std)
    return (X_train - both.mean(axis=0)) / scale, (X_test - both.mean(axis=0)) / scale


def split_divides_by_zero(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std


standardize_split = Exercise(
    name="standardize_split",
    reference=_ref_split,
    cases=_split_cases,
    uses=("fit_statistics", "standardize"),
    mistakes=[
        Mistake(refit_on_test, "the test set was standardized with its own mean and standard "
                               "deviation; new data must reuse the statistics learned on "
                               "X_train, or the model sees differently scaled inputs."),
        Mistake(fit_on_train_and_test, "the statistics came from the training and test data "
                                       "together; learn them on X_train alone, so that nothing "
                                       "about the test data leaks into training."),
        Mistake(split_divides_by_zero, "a training feature that never changes has standard "
                                       "deviation 0, and your division gave nan/inf; use the safe "
                                       "scale (1 for a constant feature)."),
    ],
)


# --- predicted_price: undo standardization by hand -----------------------------------------

PRICE_MEAN, PRICE_SCALE, PRICE_Z = 250_000.0, 40_000.0, -0.75

INVERSE_DIVIDES = ("Undoing a division means multiplying: solve z = (x - mean) / scale for x, "
                   "x = z * scale + mean.")
INVERSE_SHIFT_FIRST = ("The mean was added before multiplying by the scale; undo the steps in "
                       "reverse order: first * scale, then + mean.")
INVERSE_SUBTRACTS_MEAN = "Standardizing subtracted the mean, so undoing it adds the mean back."
INVERSE_NO_MEAN = ("z * scale is only the distance from the mean (in euros); add the mean to get "
                   "the price.")
_SLIPS = {PRICE_Z / PRICE_SCALE + PRICE_MEAN: INVERSE_DIVIDES,
          (PRICE_Z + PRICE_MEAN) * PRICE_SCALE: INVERSE_SHIFT_FIRST,
          PRICE_Z * PRICE_SCALE - PRICE_MEAN: INVERSE_SUBTRACTS_MEAN,
          PRICE_Z * PRICE_SCALE: INVERSE_NO_MEAN}


def _judge_price(student):
    price, not_a_number = number_answer(student, "predicted_price", "a number of euros")
    if not_a_number:
        return not_a_number
    if np.isclose((price - PRICE_MEAN) / PRICE_SCALE, PRICE_Z, rtol=0, atol=1e-6):
        return None
    lead = (f"`predicted_price` is not right yet: standardizing {price:.2f} euros with the mean "
            f"{PRICE_MEAN:.0f} and scale {PRICE_SCALE:.0f} gives "
            f"{fmt((price - PRICE_MEAN) / PRICE_SCALE)}, not {PRICE_Z}.")
    for slip, why in _SLIPS.items():
        if np.isclose(price, slip, rtol=0, atol=0.5):
            return f"{lead} {why}"
    return lead


def price_divides():
    return 249_999.99998


def price_shift_first():
    return 9_999_970_000.0


def price_subtracts_mean():
    return -280_000.0


def price_without_mean():
    return -30_000.0


predicted_price = Property(
    name="predicted_price",
    judge=_judge_price,
    mistakes=[
        Mistake(price_divides, INVERSE_DIVIDES),
        Mistake(price_shift_first, INVERSE_SHIFT_FIRST),
        Mistake(price_subtracts_mean, INVERSE_SUBTRACTS_MEAN),
        Mistake(price_without_mean, INVERSE_NO_MEAN),
    ],
)
