"""ann_lib.deep: any-depth forward and backward loops, He/Glorot initialisation, training."""

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from ann_lib import deep, losses
from ann_lib.datasets import make_xor
from ann_lib.gradcheck import numerical_gradient
from ann_lib.network import MLP

FAST = settings(max_examples=25, deadline=None)
SMOOTH = ("tanh", "sigmoid", "linear", "elu")


def _network(rng, sizes, scale=1.0):
    return [(rng.normal(scale=scale, size=(n_in, n_out)), rng.normal(scale=0.5, size=n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _cost_of(X, Y, params, acts, layer, which):
    """The mean binary cross-entropy as a function of one parameter array."""
    def cost(p):
        ps = [list(pair) for pair in params]
        ps[layer][which] = p
        return losses.binary_cross_entropy(Y, deep.forward(X, ps, acts)[0])
    return cost


def test_forward_agrees_with_the_mlp_and_keeps_the_layers_caches():
    rng = np.random.default_rng(0)
    params = _network(rng, [3, 5, 4, 2])
    X = rng.normal(size=(6, 3))
    model = MLP([3, 5, 4, 2], hidden_activation="tanh", output_activation="sigmoid")
    model.params_ = params
    A, caches = deep.forward(X, params, ["tanh", "tanh", "sigmoid"])
    A_mlp, caches_mlp = model.forward(X)
    assert_allclose(A, A_mlp, rtol=1e-15)
    assert len(caches) == 3
    for (dense_cache, (Z, name)), (mlp_dense, (Z_mlp, name_mlp)) in zip(caches, caches_mlp):
        assert_array_equal(dense_cache[0], mlp_dense[0])
        assert_array_equal(dense_cache[1], mlp_dense[1])
        assert_array_equal(Z, Z_mlp)
        assert name == name_mlp
    assert_array_equal(caches[0][0][0], X)
    assert_array_equal(caches[1][0][0], np.tanh(caches[0][1][0]))


def test_the_worked_example_of_lesson_03():
    params = [(np.array([[1.0, -1.0, 0.5], [0.0, 1.0, -1.0]]), np.array([0.0, 0.5, 1.0])),
              (np.array([[2.0], [-2.0], [3.0]]), np.array([1.0]))]
    A, caches = deep.forward(np.array([[1.0, 2.0]]), params, ["relu", "sigmoid"])
    assert_allclose(A, [[0.5]])
    assert_allclose(caches[1][0][0], [[1.0, 1.5, 0.0]])


@FAST
@given(data=st.data(), sizes=st.lists(st.integers(1, 4), min_size=2, max_size=5),
       n=st.integers(1, 4))
def test_backward_matches_numerical_gradients_for_any_depth(data, sizes, n):
    acts = data.draw(st.lists(st.sampled_from(SMOOTH), min_size=len(sizes) - 1,
                              max_size=len(sizes) - 1))
    small = st.floats(-2, 2, allow_nan=False)
    X = data.draw(hnp.arrays(np.float64, (n, sizes[0]), elements=small))
    params = [(data.draw(hnp.arrays(np.float64, (a, b), elements=small)),
               data.draw(hnp.arrays(np.float64, (b,), elements=small)))
              for a, b in zip(sizes[:-1], sizes[1:])]
    G = data.draw(hnp.arrays(np.float64, (n, sizes[-1]), elements=small))
    A, caches = deep.forward(X, params, acts)
    grads = deep.backward(G, caches)  # the cost sum(A * G) has dCost/dA = G
    assert len(grads) == len(params)
    for layer, ((W, b), (dW, db)) in enumerate(zip(params, grads)):
        assert dW.shape == W.shape and db.shape == b.shape
        for which, (point, analytic) in enumerate(((W, dW), (b, db))):
            def cost(p, layer=layer, which=which):
                ps = [list(pair) for pair in params]
                ps[layer][which] = p
                return np.sum(deep.forward(X, ps, acts)[0] * G)
            # centred differences lose digits where a drawn input sits on a kink of an
            # activation's second derivative (ELU at 0): 1e-4, not 1e-5
            assert_allclose(analytic, numerical_gradient(cost, point), rtol=1e-4, atol=1e-5)


def test_backward_of_the_cross_entropy_matches_numerical_gradients_with_relu():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(7, 3))
    Y = rng.integers(0, 2, size=(7, 1)).astype(float)
    acts = ["relu", "tanh", "relu", "sigmoid"]
    params = _network(rng, [3, 5, 4, 3, 1])
    A, caches = deep.forward(X, params, acts)
    grads = deep.backward(losses.binary_cross_entropy_grad(Y, A), caches)
    for layer, pair in enumerate(grads):
        for which in (0, 1):
            numerical = numerical_gradient(_cost_of(X, Y, params, acts, layer, which),
                                           params[layer][which])
            assert_allclose(pair[which], numerical, rtol=1e-5, atol=1e-9)


def test_forward_and_backward_are_stable_at_1000():
    rng = np.random.default_rng(1)
    X = 1000 * rng.normal(size=(5, 2))
    Y = np.array([[1.0], [0.0], [1.0], [0.0], [1.0]])
    acts = ["sigmoid", "tanh", "sigmoid"]
    params = _network(rng, [2, 3, 3, 1], scale=10.0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        A, caches = deep.forward(X, params, acts)
        grads = deep.backward(losses.binary_cross_entropy_grad(Y, A), caches)
    assert np.all(np.isfinite(A)) and all(np.all(np.isfinite(g)) for pair in grads for g in pair)


@pytest.mark.parametrize(("params", "acts", "match"), [
    ([(np.ones((2, 3)), np.zeros(3)), (np.ones((4, 1)), np.zeros(1))], ["relu", "sigmoid"],
     "layer 2: W has shape \\(4, 1\\) but layer 1 has 3 outputs"),
    ([(np.ones((2, 3)), np.zeros(2))], ["relu"], "layer 1: W must be 2-D"),
    ([(np.ones((2, 3)), np.zeros(3))], ["relu", "sigmoid"], "one name per layer \\(1\\)"),
    ([(np.ones((2, 3)), np.zeros(3))], "relu", "one name per layer"),
    ([(np.ones((2, 3)), np.zeros(3))], ["rleu"], "unknown activation 'rleu'"),
    ([], [], "params is empty"),
])
def test_forward_names_what_is_wrong_with_the_network(params, acts, match):
    with pytest.raises(ValueError, match=match):
        deep.forward(np.ones((4, 2)), params, acts)


def test_backward_refuses_a_gradient_of_the_wrong_shape():
    _, caches = deep.forward(np.ones((4, 2)), [(np.ones((2, 1)), np.zeros(1))], ["sigmoid"])
    with pytest.raises(ValueError, match=r"dA has shape \(4,\).*\(4, 1\)"):
        deep.backward(np.ones(4), caches)
    with pytest.raises(ValueError, match="caches is empty"):
        deep.backward(np.ones((4, 1)), [])


@pytest.mark.parametrize(("scheme", "variance"), [("he", 2 / 400), ("glorot", 2 / 600)])
def test_init_params_draws_the_schemes_variance_with_zero_biases(scheme, variance):
    params = deep.init_params([400, 200, 3], scheme, np.random.default_rng(0))
    assert [(W.shape, b.shape) for W, b in params] == [((400, 200), (200,)), ((200, 3), (3,))]
    W = params[0][0]
    # 80 000 draws: the sample variance is within 2 % of the true one (about 4 standard errors)
    assert W.var() == pytest.approx(variance, rel=0.02)
    assert abs(W.mean()) < 0.02 * np.sqrt(variance)
    assert all(np.all(b == 0) for _, b in params)


def test_init_params_uses_only_its_rng():
    a = deep.init_params([5, 4, 2], "he", np.random.default_rng(7))
    b = deep.init_params([5, 4, 2], "he", 7)
    c = deep.init_params([5, 4, 2], "he", np.random.default_rng(8))
    assert all(np.array_equal(x[0], y[0]) for x, y in zip(a, b))
    assert not np.array_equal(a[0][0], c[0][0])


@pytest.mark.parametrize(("sizes", "scheme", "match"), [
    ([3], "he", "at least two positive integers"),
    ([3, 0, 1], "he", "at least two positive integers"),
    ([3, 2.5], "he", "at least two positive integers"),
    ([3, 2], "xavier", "unknown initialisation scheme 'xavier'; choose one of 'he', 'glorot'"),
])
def test_init_params_names_a_bad_argument(sizes, scheme, match):
    with pytest.raises(ValueError, match=match):
        deep.init_params(sizes, scheme, 0)


def test_one_epoch_is_one_step_against_the_numerical_gradient_and_leaves_the_input_alone():
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(6, 2)), rng.integers(0, 2, size=(6, 1)).astype(float)
    acts = ["tanh", "relu", "sigmoid"]
    params = _network(rng, [2, 4, 3, 1])
    before = [(W.copy(), b.copy()) for W, b in params]
    new, history = deep.train(X, Y, params, acts, 0.3, 1)
    for layer, (W, b) in enumerate(params):
        for which, point in enumerate((W, b)):
            slope = numerical_gradient(_cost_of(X, Y, params, acts, layer, which), point)
            assert_allclose(new[layer][which], point - 0.3 * slope, rtol=1e-7, atol=1e-9)
    assert history == [pytest.approx(losses.binary_cross_entropy(Y, deep.forward(X, params,
                                                                                  acts)[0]))]
    for (W, b), (W0, b0) in zip(params, before):
        assert_array_equal(W, W0)
        assert_array_equal(b, b0)


def test_training_agrees_with_full_batch_mlp_epochs_and_learns_xor():
    X, y = make_xor(100, noise=0.2, seed=0)
    Y = y.reshape(-1, 1).astype(float)
    params = deep.init_params([2, 6, 6, 1], "glorot", np.random.default_rng(2))
    model = MLP([2, 6, 6, 1], hidden_activation="tanh", output_activation="sigmoid")
    model.params_ = [(W.copy(), b.copy()) for W, b in params]
    ours, history = deep.train(X, Y, params, ["tanh", "tanh", "sigmoid"], 0.5, 300)
    for _ in range(300):
        model.partial_fit(X, y, batch_size=None, learning_rate=0.5)
    for (W, b), (W_mlp, b_mlp) in zip(ours, model.params_):
        assert_allclose(W, W_mlp, rtol=1e-7, atol=1e-10)
        assert_allclose(b, b_mlp, rtol=1e-7, atol=1e-10)
    assert_allclose(history, model.loss_history_, rtol=1e-7)
    assert history[-1] < 0.1 * history[0]
    assert np.mean((deep.forward(X, ours, ["tanh", "tanh", "sigmoid"])[0][:, 0] >= 0.5) == y) == 1


def test_zero_epochs_return_a_copy_and_no_history():
    params = [(np.ones((2, 1)), np.zeros(1))]
    new, history = deep.train(np.ones((3, 2)), np.ones((3, 1)), params, ["sigmoid"], 0.1, 0)
    assert history == []
    assert_array_equal(new[0][0], params[0][0])
    assert new[0][0] is not params[0][0]


@pytest.mark.parametrize(("rate", "epochs", "match"), [
    (0.0, 1, "learning_rate must be a positive number"),
    (np.nan, 1, "learning_rate must be a positive number"),
    (0.1, -1, "epochs must be a non-negative integer"),
    (0.1, 2.5, "epochs must be a non-negative integer"),
])
def test_train_names_a_bad_setting(rate, epochs, match):
    with pytest.raises(ValueError, match=match):
        deep.train(np.ones((3, 2)), np.ones((3, 1)), [(np.ones((2, 1)), np.zeros(1))],
                   ["sigmoid"], rate, epochs)


def test_train_refuses_labels_of_another_shape_than_the_output():
    with pytest.raises(ValueError, match=r"shape \(3,\).*shape \(3, 1\)"):
        deep.train(np.ones((3, 2)), np.ones(3), [(np.ones((2, 1)), np.zeros(1))], ["sigmoid"],
                   0.1, 1)
