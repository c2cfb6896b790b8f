"""Checks for lesson 02, standardizing the inputs."""

import numpy as np

from ann_lib import preprocessing
from autograder import core
from autograder.core import Exercise, Mistake, case, expect

__all__ = ["expect", "self_check", "feature_means", "feature_stds", "feature_scales",
           "standardize", "standardize_split", "inverse_standardize"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = core.self_check_for(__name__)


# --- references, built from ann_lib.preprocessing.StandardScaler ---------------------------

def _scaler(mean, scale):
    """A StandardScaler that has 'learned' the given statistics."""
    s = preprocessing.StandardScaler()
    s.mean_ = np.asarray(mean, dtype=float)
    s.scale_ = np.asarray(scale, dtype=float)
    s.var_ = s.scale_ ** 2
    s.n_features_in_ = s.mean_.size
    return s


def _ref_means(X):
    return preprocessing.StandardScaler().fit(X).mean_


def _ref_stds(X):
    return np.sqrt(preprocessing.StandardScaler().fit(X).var_)


def _ref_scales(X):
    return preprocessing.StandardScaler().fit(X).scale_


def _ref_standardize(X, mean, scale):
    return _scaler(mean, scale).transform(X)


def _ref_split(X_train, X_test):
    s = preprocessing.StandardScaler().fit(X_train)
    return s.transform(X_train), s.transform(X_test)


def _ref_inverse(Z, mean, scale):
    return _scaler(mean, scale).inverse_transform(Z)


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


# --- feature_means ------------------------------------------------------------------------

def means_per_sample(X):
    return X.mean(axis=1)


def mean_of_everything(X):
    return np.mean(X)


feature_means = Exercise(
    name="feature_means",
    reference=_ref_means,
    cases=_stat_cases,
    mistakes=[
        Mistake(means_per_sample, "you averaged each row (one sample's features); a feature is a "
                                  "column, so average down the rows with axis=0."),
        Mistake(mean_of_everything, "you returned one mean for the whole table; every feature "
                                    "needs its own mean, an array of shape (n_features,)."),
    ],
)


# --- feature_stds -------------------------------------------------------------------------

def sample_std(X):
    return X.std(axis=0, ddof=1)


def stds_per_sample(X):
    return X.std(axis=1)


def variance_not_std(X):
    return X.var(axis=0)


feature_stds = Exercise(
    name="feature_stds",
    reference=_ref_stds,
    cases=_stat_cases,
    mistakes=[
        Mistake(sample_std, "that is the sample standard deviation (divides by n - 1, ddof=1); "
                            "standardizing uses the population one, which divides by n (ddof=0, "
                            "NumPy's default)."),
        Mistake(stds_per_sample, "you took the spread of each sample's row; the standard "
                                 "deviation is per feature, down each column (axis=0)."),
        Mistake(variance_not_std, "you returned the variance; the standard deviation is its "
                                  "square root."),
    ],
)


# --- feature_scales -----------------------------------------------------------------------

def scale_is_plain_std(X):
    return X.std(axis=0)


def scale_at_least_one(X):
    return np.maximum(X.std(axis=0), 1.0)


def scale_zero_to_zero(X):
    std = X.std(axis=0)
    return np.where(std == 0, 0.0, 1.0 / np.where(std == 0, 1.0, std))


def _scale_cases(rng):
    cases = [case(np.array([[1.0, 5.0, 0.2], [3.0, 5.0, 0.6]])),
             case(np.array([[2.0, 7.0], [2.0, 9.0], [2.0, 11.0]]))]
    for n, d, const in ((6, 3, (2,)), (9, 4, (0,)), (5, 5, (1, 4))):
        X = _data(rng, n, d, const)
        X[:, -2 if d > 2 else 0] *= 0.01  # a feature with a small but non-zero spread
        cases.append(case(X))
    return cases


feature_scales = Exercise(
    name="feature_scales",
    reference=_ref_scales,
    cases=_scale_cases,
    mistakes=[
        Mistake(scale_is_plain_std, "a constant feature has standard deviation 0, and dividing "
                                    "by a scale of 0 turns its values into nan or inf; give such "
                                    "a feature the scale 1."),
        Mistake(scale_at_least_one, "only a spread of exactly 0 gets the scale 1; a feature whose "
                                    "standard deviation is small but not 0 (like 0.004) keeps it."),
        Mistake(scale_zero_to_zero, "you returned 1 / std; the scale is the standard deviation "
                                    "itself (we divide by it later), with 1 for constant "
                                    "features."),
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
                  np.array([[1.0, 3.0], [6.0, 6.0]]))]
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
    uses=("feature_means", "feature_stds", "feature_scales", "standardize"),
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


# --- inverse_standardize ------------------------------------------------------------------

def _inverse_cases(rng):
    cases = [case(np.array([[1.0, -1.0], [0.0, 0.5]]), np.array([1.0, 30.0]),
                  np.array([2.0, 10.0])),
             case(np.array([[0.0, 0.0, 0.0]]), np.array([4.0, -2.0, 7.0]),
                  np.array([3.0, 1.0, 0.5]))]
    for n, d in ((5, 3), (3, 4)):
        cases.append(case(rng.normal(size=(n, d)), rng.normal(size=d) * 5,
                          rng.uniform(0.5, 20.0, size=d)))
    return cases


def inverse_divides(Z, mean, scale):
    return Z / scale + mean


def inverse_shift_first(Z, mean, scale):
    return (Z + mean) * scale


def inverse_subtracts_mean(Z, mean, scale):
    return Z * scale - mean


inverse_standardize = Exercise(
    name="inverse_standardize",
    reference=_ref_inverse,
    cases=_inverse_cases,
    mistakes=[
        Mistake(inverse_divides, "undoing a division means multiplying: X = Z * scale + mean."),
        Mistake(inverse_shift_first, "the mean was added before multiplying by the scale; undo "
                                     "the steps in reverse order: first * scale, then + mean."),
        Mistake(inverse_subtracts_mean, "standardizing subtracted the mean, so undoing it adds "
                                        "the mean back."),
    ],
)
