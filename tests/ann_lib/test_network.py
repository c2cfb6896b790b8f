"""ann_lib.network: initialisation, backpropagation by gradient check, training, prediction."""

import doctest
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.metrics import r2_score

import ann_lib.network
from ann_lib import NotFittedError
from ann_lib.datasets import load_breast_cancer, make_xor, train_test_split
from ann_lib.gradcheck import numerical_gradient, relative_error
from ann_lib.losses import LOSSES
from ann_lib.network import MLP, init_params
from ann_lib.optim import gradient_descent_step, minibatches, momentum_step
from ann_lib.preprocessing import StandardScaler


def toy_data(n_samples=8, n_features=3, n_outputs=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    y = rng.integers(0, 2, size=(n_samples, n_outputs)).astype(float)
    return X, y


# --- init_params ---------------------------------------------------------------------------


def test_init_params_shapes_zero_biases_and_determinism():
    params = init_params([4, 5, 3, 1], rng=np.random.default_rng(0))
    assert [(W.shape, b.shape) for W, b in params] == [
        ((4, 5), (5,)),
        ((5, 3), (3,)),
        ((3, 1), (1,)),
    ]
    assert all(np.all(b == 0) for _, b in params)
    again = init_params([4, 5, 3, 1], rng=0)  # an int seed works too
    for (W, _), (W2, _) in zip(params, again):
        assert_array_equal(W, W2)


def test_init_params_uses_he_for_relu_layers_and_glorot_otherwise():
    (W_hidden, _), (W_out, _) = init_params([400, 300, 200], "relu", "sigmoid", rng=0)
    assert W_hidden.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)  # He
    assert W_out.std() == pytest.approx(np.sqrt(2 / (300 + 200)), rel=0.02)  # Glorot
    (W_tanh, _), _ = init_params([400, 300, 200], "tanh", "linear", rng=0)
    assert W_tanh.std() == pytest.approx(np.sqrt(2 / 700), rel=0.02)
    assert abs(W_hidden.mean()) < 0.05 * W_hidden.std()  # centred on 0


@pytest.mark.parametrize("sizes", [[3], [3, 0, 1], [3, 2.5, 1]])
def test_invalid_layer_sizes_raise_value_error(sizes):
    with pytest.raises(ValueError, match="layer_sizes"):
        init_params(sizes, rng=0)


# --- backpropagation -------------------------------------------------------------------------

CONFIGS = [  # (layer sizes, hidden activation, output activation, loss)
    ([3, 4, 3, 1], "tanh", "sigmoid", "binary_cross_entropy"),  # fused output gradient
    ([3, 5, 2], "relu", "sigmoid", "binary_cross_entropy"),
    ([3, 4, 1], "elu", "linear", "mse"),
    ([3, 4, 1], "sigmoid", "linear", "huber"),
    ([3, 4, 1], "leaky_relu", "sigmoid", "mse"),
    ([3, 4, 2], "tanh", "linear", "binary_cross_entropy_with_logits"),
]


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss"), CONFIGS)
def test_backward_matches_numerical_gradient_of_the_mean_loss(sizes, hidden, output, loss):
    X, y = toy_data(n_outputs=sizes[-1])
    model = MLP(sizes, hidden, output, loss)
    model.params_ = init_params(sizes, hidden, output, rng=np.random.default_rng(1))
    output_values, caches = model.forward(X)
    grads = model.backward(output_values, y, caches)
    loss_fn = LOSSES[loss][0]

    def cost_with(layer, which, value):
        params = [list(pair) for pair in model.params_]
        params[layer][which] = value
        probe = MLP(sizes, hidden, output, loss)
        probe.params_ = [tuple(pair) for pair in params]
        return loss_fn(y, probe.forward(X)[0])

    for layer, pair in enumerate(model.params_):
        for which, value in enumerate(pair):
            numeric = numerical_gradient(lambda v, i=layer, j=which: cost_with(i, j, v), value)
            assert grads[layer][which].shape == value.shape
            assert relative_error(grads[layer][which], numeric) < 1e-5 or np.allclose(
                grads[layer][which], numeric, atol=1e-9
            ), (layer, which)


def test_backward_accepts_targets_of_shape_n():
    X, y = toy_data()
    model = MLP([3, 4, 1])
    model.params_ = init_params([3, 4, 1], rng=0)
    out, caches = model.forward(X)
    for (dW, db), (dW1, db1) in zip(
        model.backward(out, y, caches), model.backward(out, y[:, 0], caches)
    ):
        assert_array_equal(dW, dW1)
        assert_array_equal(db, db1)


# --- training -------------------------------------------------------------------------------


def test_one_full_batch_epoch_is_one_gradient_descent_step_from_the_initial_weights():
    X, y = toy_data(n_samples=20)
    model = MLP([3, 4, 1], seed=5).fit(X, y, epochs=1, batch_size=None, learning_rate=0.3)
    start = MLP([3, 4, 1])
    start.params_ = init_params([3, 4, 1], "relu", "sigmoid", rng=np.random.default_rng(5))
    out, caches = start.forward(X)
    expected = gradient_descent_step(start.params_, start.backward(out, y, caches), 0.3)
    for (W, b), (W0, b0) in zip(model.params_, expected):
        assert_array_equal(W, W0)
        assert_array_equal(b, b0)


def test_momentum_training_follows_momentum_step():
    X, y = toy_data(n_samples=20)
    model = MLP([3, 4, 1], seed=5).fit(
        X, y, epochs=2, batch_size=None, learning_rate=0.3, momentum=0.8
    )
    probe = MLP([3, 4, 1])
    probe.params_ = init_params([3, 4, 1], "relu", "sigmoid", rng=np.random.default_rng(5))
    velocity = None
    for _ in range(2):
        out, caches = probe.forward(X)
        grads = probe.backward(out, y, caches)
        probe.params_, velocity = momentum_step(probe.params_, grads, velocity, 0.3, beta=0.8)
    for (W, b), (W0, b0) in zip(model.params_, probe.params_):
        assert_allclose(W, W0, rtol=1e-15)
        assert_allclose(b, b0, rtol=1e-15)


@pytest.mark.parametrize(
    ("n_outputs", "output", "loss_name"),
    [(1, "sigmoid", "binary_cross_entropy"), (2, "sigmoid", "binary_cross_entropy"),
     (2, "linear", "mse")],
)
def test_loss_history_is_the_size_weighted_mean_of_the_batch_losses_before_each_step(
    n_outputs, output, loss_name
):
    X, y = toy_data(n_samples=20, n_outputs=n_outputs)
    sizes = [3, 4, n_outputs]
    model = MLP(sizes, "relu", output, loss_name, seed=5)
    model.fit(X, y, epochs=2, batch_size=8, learning_rate=0.3)
    rng = np.random.default_rng(5)
    probe = MLP(sizes, "relu", output, loss_name)
    probe.params_ = init_params(sizes, "relu", output, rng=rng)
    loss = LOSSES[loss_name][0]
    expected = []
    for _ in range(2):
        batch_losses, sizes = [], []
        for X_batch, y_batch in minibatches(X, y, 8, rng):
            out, caches = probe.forward(X_batch)
            batch_losses.append(loss(y_batch, out))
            sizes.append(len(X_batch))
            grads = probe.backward(out, y_batch, caches)
            probe.params_ = gradient_descent_step(probe.params_, grads, 0.3)
        assert sizes == [8, 8, 4]
        expected.append(np.average(batch_losses, weights=sizes))
    assert_allclose(model.loss_history_, expected, rtol=1e-15)


def test_full_batch_loss_history_starts_with_the_loss_of_the_initial_weights():
    X, y = toy_data(n_samples=20)
    model = MLP([3, 4, 1], seed=5).fit(X, y, epochs=3, batch_size=None, learning_rate=0.3)
    start = MLP([3, 4, 1])
    start.params_ = init_params([3, 4, 1], "relu", "sigmoid", rng=np.random.default_rng(5))
    initial = LOSSES["binary_cross_entropy"][0](y, start.forward(X)[0])
    assert model.loss_history_[0] == pytest.approx(initial, rel=1e-15)
    assert len(model.loss_history_) == 3


@pytest.fixture(scope="module")
def breast_cancer_split():
    X, y = load_breast_cancer()
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.25, seed=0, stratify=True)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def test_reaches_95_percent_test_accuracy_on_breast_cancer(breast_cancer_split):
    X_train, X_test, y_train, y_test = breast_cancer_split
    model = MLP([30, 32, 1], seed=0).fit(
        X_train, y_train, epochs=50, batch_size=32, learning_rate=0.1
    )
    assert model.score(X_test, y_test) >= 0.95
    assert model.loss_history_[-1] < model.loss_history_[0]
    assert len(model.loss_history_) == 50


def test_fit_is_deterministic_given_the_seed(breast_cancer_split):
    X_train, _, y_train, _ = breast_cancer_split
    fits = [MLP([30, 8, 1], seed=s).fit(X_train, y_train, epochs=3) for s in (7, 7, 8)]
    assert fits[0].loss_history_ == fits[1].loss_history_
    for (W, b), (W1, b1) in zip(fits[0].params_, fits[1].params_):
        assert_array_equal(W, W1)
        assert_array_equal(b, b1)
    assert fits[0].loss_history_ != fits[2].loss_history_


def test_targets_of_shape_n_and_n_by_1_train_the_same_network():
    X, y = toy_data(n_samples=40)
    a = MLP([3, 4, 1]).fit(X, y[:, 0], epochs=3, batch_size=8)
    b = MLP([3, 4, 1]).fit(X, y, epochs=3, batch_size=8)
    assert a.loss_history_ == b.loss_history_


def test_solves_xor():
    X, y = make_xor(200, noise=0.2, seed=0)
    model = MLP([2, 8, 1], hidden_activation="tanh", seed=0)
    assert model.fit(X, y, epochs=200, learning_rate=0.5).score(X, y) == 1.0


def test_fit_does_not_modify_the_data():
    X, y = toy_data(n_samples=20)
    X0, y0 = X.copy(), y.copy()
    MLP([3, 4, 1]).fit(X, y, epochs=2, batch_size=4)
    assert_array_equal(X, X0)
    assert_array_equal(y, y0)


# --- prediction -------------------------------------------------------------------------------


def test_predict_thresholds_probabilities_at_one_half(breast_cancer_split):
    X_train, X_test, y_train, y_test = breast_cancer_split
    model = MLP([30, 8, 1]).fit(X_train, y_train, epochs=5)
    proba = model.predict_proba(X_test)
    assert proba.shape == (len(X_test),) and np.all((proba > 0) & (proba < 1))
    assert_array_equal(proba, model.forward(X_test)[0][:, 0])
    labels = model.predict(X_test)
    assert labels.dtype.kind == "i"
    assert_array_equal(labels, [1 if p >= 0.5 else 0 for p in proba])
    assert model.score(X_test, y_test) == np.mean(labels == y_test)


def test_regression_predicts_raw_outputs_and_scores_r2():
    X = np.linspace(-2, 2, 200)[:, None]
    y = np.sin(1.5 * X[:, 0])
    model = MLP([1, 16, 1], "tanh", "linear", "mse", seed=0)
    model.fit(X, y, epochs=200, batch_size=16, learning_rate=0.05)
    prediction = model.predict(X)
    assert prediction.shape == (200,) and prediction.dtype == np.float64
    assert model.score(X, y) == pytest.approx(r2_score(y, prediction), rel=1e-12)
    assert model.score(X, y) > 0.95
    with pytest.raises(ValueError, match="predict_proba needs a sigmoid output"):
        model.predict_proba(X)


def test_use_before_fit_raises_not_fitted_error():
    with pytest.raises(NotFittedError, match="call fit"):
        MLP([2, 3, 1]).predict(np.ones((4, 2)))


def test_wrong_shapes_raise_value_error_naming_the_shapes():
    model = MLP([4, 3, 1])
    with pytest.raises(ValueError, match=re.escape("X has shape (5, 3) but layer_sizes[0] is 4")):
        model.fit(np.ones((5, 3)), np.ones(5))
    with pytest.raises(
        ValueError, match=re.escape("y has shape (5, 2) but the network needs (5, 1)")
    ):
        model.fit(np.ones((5, 4)), np.ones((5, 2)))
    with pytest.raises(
        ValueError, match=re.escape("y has shape (4,) but the network needs (5, 1)")
    ):
        model.fit(np.ones((5, 4)), np.ones(4))
    with pytest.raises(ValueError, match=re.escape("y must lie in [0, 1], got values from 0 to 2")):
        model.fit(np.ones((3, 4)), [0, 1, 2])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"hidden_activation": "relu6"}, "unknown hidden_activation 'relu6'"),
        ({"output_activation": "softmax"}, "unknown output_activation 'softmax'"),
        ({"loss": "cross_entropy"}, "unknown loss 'cross_entropy'"),
        ({"layer_sizes": [3, 0, 1]}, "layer_sizes must list at least two positive integers"),
    ],
)
def test_invalid_model_parameters_are_stored_and_then_reported_by_fit(params, message):
    model = MLP([3, 4, 1]).set_params(**params)
    assert model.get_params()[next(iter(params))] == next(iter(params.values()))
    with pytest.raises(ValueError, match=re.escape(message)):
        model.fit(*toy_data())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"epochs": -1}, "epochs must be a non-negative integer, got -1"),
        ({"epochs": 2.5}, "epochs must be a non-negative integer, got 2.5"),
        ({"batch_size": 0}, "batch_size must be a positive integer or None, got 0"),
        ({"batch_size": 8.0}, "batch_size must be a positive integer or None, got 8.0"),
        ({"learning_rate": 0}, "learning_rate must be a positive number, got 0"),
        ({"learning_rate": "0.1"}, "learning_rate must be a positive number, got '0.1'"),
        ({"momentum": 1.0}, "momentum must be a number in [0, 1), got 1.0"),
    ],
)
def test_invalid_training_arguments_are_reported_and_keep_the_fitted_model(arguments, message):
    X, y = toy_data()
    model = MLP([3, 4, 1]).fit(X, y, epochs=2)
    params, history = [(W.copy(), b.copy()) for W, b in model.params_], list(model.loss_history_)
    with pytest.raises(ValueError, match=re.escape(message)):
        model.fit(X, y, **arguments)
    if "epochs" not in arguments:  # partial_fit trains one epoch
        with pytest.raises(ValueError, match=re.escape(message)):
            model.partial_fit(X, y, **arguments)
    assert model.loss_history_ == history
    for (W, b), (W0, b0) in zip(model.params_, params):
        assert_array_equal(W, W0)
        assert_array_equal(b, b0)


# --- scikit-learn's estimator contract ----------------------------------------------------------


def test_init_only_stores_the_parameters_as_given():
    sizes = (3, 4, 1)
    model = MLP(sizes, "tanh", "linear", "mse", seed=7)
    assert vars(model) == {"layer_sizes": sizes, "hidden_activation": "tanh",
                           "output_activation": "linear", "loss": "mse", "seed": 7}
    assert model.get_params()["layer_sizes"] is sizes


def test_clone_gives_an_equal_unfitted_model_that_trains_the_same():
    X, y = toy_data(n_samples=20)
    model = MLP([3, 5, 1], "tanh", seed=3).fit(X, y, epochs=2)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "params_") and not hasattr(copy, "loss_history_")
    copy.fit(X, y, epochs=2)
    assert copy.loss_history_ == model.loss_history_
    for (W, b), (W0, b0) in zip(copy.params_, model.params_):
        assert_array_equal(W, W0)
        assert_array_equal(b, b0)


def test_set_params_then_fit_trains_as_if_the_parameters_were_given_to_init():
    X, y = toy_data(n_samples=20)
    changed = MLP([3, 4, 1]).fit(X, y, epochs=2)
    changed.set_params(layer_sizes=[3, 6, 1], hidden_activation="tanh", seed=4)
    changed.fit(X, y, epochs=2)
    made = MLP([3, 6, 1], hidden_activation="tanh", seed=4).fit(X, y, epochs=2)
    assert changed.loss_history_ == made.loss_history_
    assert [W.shape for W, _ in changed.params_] == [(3, 6), (6, 1)]
    for (W, b), (W0, b0) in zip(changed.params_, made.params_):
        assert_array_equal(W, W0)
        assert_array_equal(b, b0)


def test_learned_attributes_end_with_an_underscore():
    X, y = toy_data()
    model = MLP([3, 4, 1]).fit(X, y, epochs=1)
    public = {name for name in vars(model) if not name.startswith("_")}
    assert public - set(model.get_params()) == {"params_", "loss_history_", "n_features_in_"}
    assert model.n_features_in_ == 3


def test_scikit_learn_checks_that_apply_to_a_model_without_defaults():
    from sklearn.utils import estimator_checks as checks

    model = MLP([3, 4, 1])
    checks.check_no_attributes_set_in_init("MLP", model)
    checks.check_get_params_invariance("MLP", model)
    checks.check_set_params("MLP", model)


def test_partial_fit_steps_from_weights_set_by_hand():
    X, y = toy_data(n_samples=20)
    model = MLP([3, 4, 1])
    model.params_ = init_params([3, 4, 1], rng=5)
    out, caches = model.forward(X)
    expected = gradient_descent_step(model.params_, model.backward(out, y, caches), 0.3)
    model.partial_fit(X, y, batch_size=None, learning_rate=0.3)
    assert len(model.loss_history_) == 1
    for (W, b), (W0, b0) in zip(model.params_, expected):
        assert_array_equal(W, W0)
        assert_array_equal(b, b0)


def test_partial_fit_continues_training_exactly_like_more_epochs():
    X, y = toy_data(n_samples=30)
    for momentum in (0.0, 0.7):
        whole = MLP([3, 4, 1], seed=2).fit(X, y, epochs=3, batch_size=8, momentum=momentum)
        steps = MLP([3, 4, 1], seed=2)
        for _ in range(3):
            steps.partial_fit(X, y, batch_size=8, momentum=momentum)
        assert steps.loss_history_ == whole.loss_history_
        for (W, b), (W0, b0) in zip(steps.params_, whole.params_):
            assert_array_equal(W, W0)
            assert_array_equal(b, b0)


def test_docstring_examples_are_correct():
    assert doctest.testmod(ann_lib.network).failed == 0
