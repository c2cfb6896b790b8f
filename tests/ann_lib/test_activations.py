"""ann_lib.activations against independent definitions (math module, hand-derived values)."""

import math
import re
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from ann_lib import activations as act
from ann_lib.gradcheck import numerical_gradient

FAST = settings(max_examples=40, deadline=None)


# Independent scalar definitions, written with the math module.
def ref_sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


REFERENCE = {
    "linear": lambda z: z,
    "sigmoid": ref_sigmoid,
    "tanh": math.tanh,
    "relu": lambda z: max(0.0, z),
    "leaky_relu": lambda z: z if z > 0 else 0.1 * z,
    "elu": lambda z: z if z > 0 else math.expm1(z),
    "step": lambda z: 1.0 if z >= 0 else 0.0,
}
REFERENCE_GRAD = {
    "linear": lambda z: 1.0,
    "sigmoid": lambda z: ref_sigmoid(z) * ref_sigmoid(-z),
    "tanh": lambda z: 1 / math.cosh(z) ** 2,
    "relu": lambda z: 1.0 if z > 0 else 0.0,
    "leaky_relu": lambda z: 1.0 if z > 0 else 0.1,
    "elu": lambda z: 1.0 if z >= 0 else math.exp(z),
    "step": lambda z: 0.0,
}
NAMES = sorted(REFERENCE)
SMOOTH = ["linear", "sigmoid", "tanh"]  # differentiable everywhere
ALL_FUNCTIONS = [f for pair in act.ACTIVATIONS.values() for f in pair]

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
values = st.floats(-30, 30, allow_nan=False)


def apply(ref, z):
    return np.vectorize(ref, otypes=[float])(z)


def test_activations_table_pairs_each_function_with_its_derivative():
    assert set(act.ACTIVATIONS) == set(NAMES)
    for name, (f, f_grad) in act.ACTIVATIONS.items():
        assert f is getattr(act, name)
        assert f_grad is getattr(act, name + "_grad")


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(z=hnp.arrays(np.float64, shapes, elements=values))
def test_activation_matches_math_definition(name, z):
    f, _ = act.ACTIVATIONS[name]
    assert_allclose(f(z), apply(REFERENCE[name], z), rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(z=hnp.arrays(np.float64, shapes, elements=values))
def test_derivative_matches_math_definition(name, z):
    _, f_grad = act.ACTIVATIONS[name]
    assert_allclose(f_grad(z), apply(REFERENCE_GRAD[name], z), rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(z=hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=values))
def test_derivative_matches_numerical_gradient_away_from_kinks(name, z):
    if name not in SMOOTH:
        assume(np.all(np.abs(z) > 1e-3))
    f, f_grad = act.ACTIVATIONS[name]
    numeric = numerical_gradient(lambda v: f(v).sum(), z)
    assert_allclose(f_grad(z), numeric, rtol=1e-6, atol=1e-7)


@given(
    z=hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=4), elements=values),
    slope=st.floats(0.01, 0.99),
    alpha=st.floats(0.1, 3.0),
)
@FAST
def test_parametrised_derivatives_match_numerical_gradient(z, slope, alpha):
    assume(np.all(np.abs(z) > 1e-3))
    numeric = numerical_gradient(lambda v: act.leaky_relu(v, slope).sum(), z)
    assert_allclose(act.leaky_relu_grad(z, slope), numeric, rtol=1e-6, atol=1e-7)
    numeric = numerical_gradient(lambda v: act.elu(v, alpha).sum(), z)
    assert_allclose(act.elu_grad(z, alpha), numeric, rtol=1e-6, atol=1e-7)


@FAST
@given(z=st.floats(-1e6, 1e6), slope=st.floats(0.0, 1.0))
def test_leaky_relu_is_max_of_slope_times_z_and_z(z, slope):
    assert act.leaky_relu(z, slope) == max(slope * z, z)


def test_hand_derived_values():
    ln3, ln2 = math.log(3), math.log(2)
    assert act.sigmoid(0.0) == 0.5
    assert act.sigmoid(ln3) == pytest.approx(0.75, rel=1e-15)  # 1 / (1 + 1/3)
    assert act.sigmoid(-ln3) == pytest.approx(0.25, rel=1e-15)
    assert act.sigmoid_grad(ln3) == pytest.approx(0.1875, rel=1e-15)  # 3/4 * 1/4
    assert act.tanh(ln2) == pytest.approx(0.6, rel=1e-15)  # (2 - 1/2) / (2 + 1/2)
    assert act.tanh_grad(ln2) == pytest.approx(0.64, rel=1e-14)
    assert act.elu(math.log(0.5)) == pytest.approx(-0.5, rel=1e-15)
    assert act.elu(-ln2, alpha=2.0) == pytest.approx(-1.0, rel=1e-15)
    assert act.elu_grad(-ln2, alpha=2.0) == pytest.approx(1.0, rel=1e-15)
    assert act.leaky_relu(-2.0, slope=0.25) == -0.5
    assert act.relu(-3.0) == 0.0 and act.relu(2.5) == 2.5


def test_documented_subgradients_at_the_kinks():
    assert act.relu_grad(0.0) == 0.0
    assert act.leaky_relu_grad(0.0) == 0.1
    assert act.leaky_relu_grad(0.0, slope=0.3) == 0.3
    assert act.elu_grad(0.0) == 1.0
    assert act.elu_grad(0.0, alpha=2.5) == 1.0
    assert act.step(0.0) == 1.0  # fires at exactly 0
    assert act.step_grad(0.0) == 0.0


def test_small_values_keep_full_relative_precision():
    # Naive formulas lose these: 1 - sigmoid(-z) rounds to 0, exp(z) - 1 cancels.
    assert act.sigmoid(-30.0) == pytest.approx(math.exp(-30) / (1 + math.exp(-30)), rel=1e-15)
    assert act.sigmoid_grad(40.0) == pytest.approx(math.exp(-40), rel=1e-14)
    assert act.sigmoid_grad(-40.0) == pytest.approx(math.exp(-40), rel=1e-14)
    assert act.elu(-1e-10) == pytest.approx(math.expm1(-1e-10), rel=1e-15)
    assert act.tanh_grad(20.0) == pytest.approx(1 / math.cosh(20.0) ** 2, rel=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_no_overflow_or_warning_at_plus_minus_1000(dtype):
    z = np.array([-1000.0, -745.0, -100.0, 0.0, 100.0, 745.0, 1000.0], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        results = {f.__name__: f(z) for f in ALL_FUNCTIONS}
        pieces = np.stack([z, -z], axis=-1)
        results["maxout"], results["maxout_grad"] = act.maxout(pieces), act.maxout_grad(pieces)
    for name, value in results.items():
        assert np.all(np.isfinite(value)), name
    assert_array_equal(results["sigmoid"][[0, -1]], [0.0, 1.0])
    assert_array_equal(results["sigmoid_grad"][[0, -1]], [0.0, 0.0])
    assert_array_equal(results["tanh"][[0, -1]], [-1.0, 1.0])
    assert_array_equal(results["tanh_grad"][[0, -1]], [0.0, 0.0])
    assert_array_equal(results["elu"][[0, -1]], [-1.0, 1000.0])
    assert_array_equal(results["elu_grad"][[0, -1]], [0.0, 1.0])


@pytest.mark.parametrize("f", ALL_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.float64])
def test_floating_dtype_and_shape_are_kept(f, dtype):
    for shape in [(), (3,), (2, 3, 4), (0,)]:
        z = np.linspace(-2, 2, math.prod(shape)).astype(dtype).reshape(shape)
        out = f(z)
        assert out.dtype == dtype and np.shape(out) == shape


@pytest.mark.parametrize("f", ALL_FUNCTIONS, ids=lambda f: f.__name__)
def test_integer_boolean_and_python_inputs_become_float64(f):
    assert f(np.array([-2, 0, 3])).dtype == np.float64
    assert f(np.array([True, False])).dtype == np.float64
    assert f([[-1, 2]]).shape == (1, 2)
    scalar = f(2)
    assert isinstance(scalar, np.float64) and np.ndim(scalar) == 0


def test_input_array_is_not_modified():
    z = np.array([-1.0, 0.0, 2.0])
    for f in ALL_FUNCTIONS:
        out = f(z)
        out[...] = 7.0  # writing to the result must not touch z
        assert_array_equal(z, [-1.0, 0.0, 2.0])


def test_complex_input_is_rejected():
    with pytest.raises(ValueError, match="real numbers"):
        act.relu(np.array([1 + 2j]))


# --- maxout ------------------------------------------------------------------------------


def test_maxout_takes_the_largest_piece_on_the_last_axis():
    Z = np.array([[[1.0, 5.0, 2.0], [-3.0, -1.0, -2.0]]])  # shape (1, 2, 3)
    assert_array_equal(act.maxout(Z), [[5.0, -1.0]])
    assert_array_equal(act.maxout_grad(Z), [[[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]])
    assert act.maxout([4.0, 9.0]) == 9.0


def test_maxout_grad_gives_the_first_maximal_piece_on_ties():
    assert_array_equal(act.maxout_grad([[2.0, 7.0, 7.0], [3.0, 3.0, 3.0]]), [[0, 1, 0], [1, 0, 0]])


@FAST
@given(
    Z=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), elements=values)
)
def test_maxout_matches_python_max_and_numerical_gradient(Z):
    rows = Z.reshape(-1, Z.shape[-1])
    assert_array_equal(act.maxout(Z), np.array([max(r) for r in rows]).reshape(Z.shape[:-1]))
    top2 = np.sort(rows, axis=-1)[:, -2:] if Z.shape[-1] > 1 else None
    assume(top2 is None or np.all(top2[:, 1] - top2[:, 0] > 1e-3))  # no near-ties
    numeric = numerical_gradient(lambda v: act.maxout(v).sum(), Z)
    assert_allclose(act.maxout_grad(Z), numeric, atol=1e-7)
    assert act.maxout_grad(Z).shape == Z.shape


def test_maxout_keeps_float32():
    Z = np.ones((2, 3), dtype=np.float32)
    assert act.maxout(Z).dtype == np.float32 and act.maxout_grad(Z).dtype == np.float32


@pytest.mark.parametrize("Z", [np.float64(1.0), np.zeros((2, 0))], ids=["scalar", "no pieces"])
def test_maxout_without_pieces_raises_value_error_naming_the_shape(Z):
    with pytest.raises(ValueError, match=re.escape(str(np.shape(Z)))):
        act.maxout(Z)
    with pytest.raises(ValueError, match="last axis"):
        act.maxout_grad(Z)


# --- maxout_layer: the pieces computed from X, W, b ----------------------------------------


@st.composite
def maxout_inputs(draw):
    n, n_in, n_out, k = (draw(st.integers(1, 4)) for _ in range(4))
    floats = st.floats(-10, 10, allow_nan=False)
    X = draw(hnp.arrays(np.float64, (n, n_in), elements=floats))
    W = draw(hnp.arrays(np.float64, (k, n_in, n_out), elements=floats))
    b = draw(hnp.arrays(np.float64, (k, n_out), elements=floats))
    return X, W, b


@FAST
@given(inputs=maxout_inputs())
def test_maxout_layer_is_the_largest_piece_written_as_python_sums(inputs):
    X, W, b = inputs
    k, n_in, n_out = W.shape
    expected = [[max(sum(X[s, i] * W[j, i, u] for i in range(n_in)) + b[j, u] for j in range(k))
                 for u in range(n_out)] for s in range(len(X))]
    assert_allclose(act.maxout_layer(X, W, b), expected, rtol=1e-12, atol=1e-12)


@FAST
@given(inputs=maxout_inputs())
def test_maxout_layer_with_one_piece_is_a_dense_layer_and_agrees_with_maxout(inputs):
    from ann_lib.layers import dense_forward

    X, W, b = inputs
    Z = np.stack([dense_forward(X, W[j], b[j])[0] for j in range(len(W))], axis=-1)
    assert_allclose(act.maxout_layer(X, W, b), act.maxout(Z), rtol=1e-12, atol=1e-12)
    assert_allclose(act.maxout_layer(X, W[:1], b[:1]), dense_forward(X, W[0], b[0])[0],
                    rtol=1e-12, atol=1e-12)


@FAST
@given(inputs=maxout_inputs(), slope=st.floats(0.0, 1.0))
def test_maxout_layer_makes_relu_and_leaky_relu_from_two_pieces(inputs, slope):
    X, W, b = inputs
    W2, b2 = np.stack([W[0], slope * W[0]]), np.stack([b[0], slope * b[0]])
    Z = X @ W[0] + b[0]
    assert_allclose(act.maxout_layer(X, W2, b2), act.leaky_relu(Z, slope), rtol=1e-12, atol=1e-12)
    W0, b0 = np.stack([W[0], np.zeros_like(W[0])]), np.stack([b[0], np.zeros_like(b[0])])
    assert_allclose(act.maxout_layer(X, W0, b0), act.relu(Z), rtol=1e-12, atol=1e-12)


def test_maxout_layer_hand_computed():
    X = np.array([[1.0, 2.0], [-1.0, 0.0]])
    W = np.array([[[1.0], [0.0]], [[0.0], [1.0]]])  # piece 0: x1, piece 1: x2 - 1
    b = np.array([[0.0], [-1.0]])
    assert_array_equal(act.maxout_layer(X, W, b), [[1.0], [-1.0]])  # max(1, 1), max(-1, -1)
    b = np.array([[0.5], [-1.0]])
    assert_array_equal(act.maxout_layer(X, W, b), [[1.5], [-0.5]])


def test_maxout_layer_keeps_float32_and_stays_finite_at_1000():
    X = np.array([[1000.0, -1000.0]], dtype=np.float32)
    W = np.ones((3, 2, 4), dtype=np.float32)
    b = np.zeros((3, 4), dtype=np.float32)
    with np.errstate(all="raise"):
        A = act.maxout_layer(X, W, b)
    assert A.dtype == np.float32 and A.shape == (1, 4)
    assert_array_equal(A, np.zeros((1, 4)))


@pytest.mark.parametrize(("X", "W", "b", "message"), [
    (np.ones(3), np.ones((2, 3, 4)), np.ones((2, 4)), r"X of shape \(n_samples, n_in\).*X \(3,\)"),
    (np.ones((5, 3)), np.ones((3, 4)), np.ones((2, 4)), r"W of shape \(k, n_in, n_out\).*W \(3, 4\)"),
    (np.ones((5, 3)), np.ones((2, 3, 4)), np.ones(4), r"b of shape \(k, n_out\).*b \(4,\)"),
    (np.ones((5, 3)), np.ones((0, 3, 4)), np.ones((0, 4)), r"\(0, 3, 4\): a maxout unit needs k >= 1"),
    (np.ones((5, 2)), np.ones((2, 3, 4)), np.ones((2, 4)), r"X's 2 features must match W's 3 inputs"),
    (np.ones((5, 3)), np.ones((2, 3, 4)), np.ones((4, 2)), r"b needs .* shape \(2, 4\)"),
], ids=["X 1-D", "W 2-D", "b 1-D", "no pieces", "n_in differs", "b transposed"])
def test_maxout_layer_names_the_shapes_that_do_not_fit(X, W, b, message):
    with pytest.raises(ValueError, match=message):
        act.maxout_layer(X, W, b)
