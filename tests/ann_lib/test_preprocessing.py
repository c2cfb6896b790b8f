"""ann_lib.preprocessing against scikit-learn's StandardScaler."""

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import sklearn.preprocessing
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from ann_lib import NotFittedError
from ann_lib.preprocessing import StandardScaler, standardize


def data_with_constant_columns(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(loc=[5.0, -3.0, 0.0, 100.0], scale=[2.0, 0.5, 1.0, 30.0], size=(50, 4))
    X[:, 1] = 0.1  # constant, and 0.1 * 50 / 50 is not exactly 0.1 in floating point
    X[:, 2] = 0.0
    return X


def test_statistics_and_transform_match_sklearn_including_constant_columns():
    X = data_with_constant_columns()
    ours = StandardScaler().fit(X)
    theirs = sklearn.preprocessing.StandardScaler().fit(X)
    assert_allclose(ours.mean_, theirs.mean_, rtol=1e-14)
    assert_allclose(ours.var_, theirs.var_, rtol=1e-12, atol=1e-30)
    assert_allclose(ours.scale_, theirs.scale_, rtol=1e-13)
    assert ours.scale_[1] == 1.0 and ours.scale_[2] == 1.0
    assert ours.n_features_in_ == theirs.n_features_in_ == 4
    X_new = np.random.default_rng(1).normal(size=(7, 4))
    assert_allclose(ours.transform(X_new), theirs.transform(X_new), rtol=1e-13, atol=1e-14)
    assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-13, atol=1e-14)


@settings(max_examples=50, deadline=None)
@given(
    X=hnp.arrays(
        np.float64,
        st.tuples(st.integers(2, 20), st.integers(1, 5)),
        elements=st.floats(-1e4, 1e4, allow_nan=False),
    )
)
def test_matches_sklearn_on_random_data(X):
    ours = StandardScaler().fit(X)
    theirs = sklearn.preprocessing.StandardScaler().fit(X)
    assert_allclose(ours.mean_, theirs.mean_, rtol=1e-12, atol=1e-9)
    assert_allclose(ours.var_, theirs.var_, rtol=1e-9, atol=1e-9)
    constant = X.max(axis=0) == X.min(axis=0)
    assert_array_equal(ours.scale_[constant], 1.0)
    assert_allclose(ours.scale_[~constant], np.sqrt(ours.var_[~constant]), rtol=1e-15)


def test_variance_uses_ddof_0():
    scaler = StandardScaler().fit([[1.0], [3.0]])  # mean 2, deviations +-1
    assert scaler.var_[0] == 1.0 and scaler.scale_[0] == 1.0
    assert_array_equal(scaler.transform([[1.0], [3.0], [5.0]]), [[-1.0], [1.0], [3.0]])


def test_fit_returns_self_and_fit_transform_equals_fit_then_transform():
    X = data_with_constant_columns()
    scaler = StandardScaler()
    assert scaler.fit(X) is scaler
    assert_array_equal(StandardScaler().fit_transform(X), scaler.transform(X))
    assert_array_equal(standardize(X), scaler.transform(X))


def test_standardized_columns_have_mean_0_and_std_1_and_constant_ones_are_centred():
    Z = standardize(data_with_constant_columns())
    assert_allclose(Z.mean(axis=0), 0.0, atol=1e-14)
    assert_allclose(Z.std(axis=0)[[0, 3]], 1.0, rtol=1e-14)
    assert_allclose(Z[:, [1, 2]], 0.0, atol=1e-15)


def test_inverse_transform_undoes_transform():
    X = data_with_constant_columns()
    scaler = StandardScaler().fit(X)
    assert_allclose(scaler.inverse_transform(scaler.transform(X)), X, rtol=1e-13, atol=1e-14)


def test_input_is_not_modified_and_float32_is_kept():
    X = data_with_constant_columns()
    before = X.copy()
    standardize(X)
    assert_array_equal(X, before)
    X32 = X.astype(np.float32)
    scaler = StandardScaler().fit(X32)
    assert scaler.transform(X32).dtype == np.float32
    assert scaler.inverse_transform(X32).dtype == np.float32


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_use_before_fit_raises_a_clear_error(method):
    with pytest.raises(NotFittedError, match=r"not fitted yet: call fit\(X\) first"):
        getattr(StandardScaler(), method)(np.ones((2, 2)))
    assert issubclass(NotFittedError, ValueError)


def test_feature_count_mismatch_names_both_counts():
    scaler = StandardScaler().fit(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"\(2, 4\), i\.e\. 4 features.*fitted with 3 features"):
        scaler.transform(np.ones((2, 4)))


def test_one_dimensional_input_is_rejected_with_a_reshape_hint():
    with pytest.raises(ValueError, match=r"shape \(5,\); use X\.reshape\(-1, 1\)"):
        StandardScaler().fit(np.arange(5.0))


def test_no_samples_is_rejected():
    with pytest.raises(ValueError, match=r"\(0, 3\)"):
        StandardScaler().fit(np.ones((0, 3)))
