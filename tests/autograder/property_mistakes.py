"""Wrong answers written from the prompts of lessons 01-13, one (at least) per stated property.

Written here by hand from what each prompt says the function must do, not taken from the checks'
mistake catalogues: a property that no hidden check tests shows up as a wrong answer here that
keeps its points. Each entry is ``(answer, property, wrong function)``; the wrong function is
defined in a notebook under the answer's name (its own name only says what it breaks), and it may
call the notebook's other answers and imports, as a learner's code does.
"""

from __future__ import annotations

import inspect
import textwrap

import numpy as np

from ann_lib import activations, layers, losses
from autograder.checks import variants
from autograder.lessons import capstone


def source(wrong, name):
    """``wrong`` as notebook code defining a function called ``name``."""
    src = textwrap.dedent(inspect.getsource(wrong))
    return src.replace(f"def {wrong.__name__}(", f"def {name}(", 1)


# --- 01_neuron ------------------------------------------------------------------------------

def ws_no_bias(x, w, b):
    return float(np.dot(x, w))


def wsb_one_sample_only(X, w, b):
    return float(np.dot(X[0], w) + b)


def step_fires_above_zero(z):
    return np.where(np.asarray(z) > 0, 1.0, 0.0)


def step_scalar_only(z):
    return 1.0 if np.all(np.asarray(z) >= 0) else 0.0


def neuron_output_ignores_bias(x, w, b, activation):
    return activation(x @ w)


def neuron_output_always_sigmoid(x, w, b, activation):
    return 1 / (1 + np.exp(-(x @ w + b)))


def and_gate_is_or_gate():
    return np.array([1.0, 1.0]), -0.5


# --- 02_standardizing -----------------------------------------------------------------------

def fit_means_over_rows(X):
    std = X.std(axis=0)
    return X.mean(axis=1), np.where(std == 0, 1.0, std)


def fit_sample_std(X):
    std = X.std(axis=0, ddof=1)
    return X.mean(axis=0), np.where(std == 0, 1.0, std)


def fit_constant_scale_zero(X):
    return X.mean(axis=0), X.std(axis=0)


def fit_every_small_std_one(X):
    std = X.std(axis=0)
    return X.mean(axis=0), np.where(std < 1, 1.0, std)


def standardize_own_statistics(X, mean, scale):
    return (X - X.mean(axis=0)) / scale


def standardize_split_test_own_stats(X_train, X_test):
    return (standardize(X_train, *fit_statistics(X_train)),  # noqa: F821
            standardize(X_test, *fit_statistics(X_test)))  # noqa: F821


def standardize_split_raw_std(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std


def price_divides_by_scale():
    return 250_000 - 0.75 / 40_000


def price_in_standard_units():
    return -0.75


# --- 03_forward -----------------------------------------------------------------------------

def dense_no_bias(X, W, b):
    return X @ W


def dense_one_sample(X, W, b):
    return np.atleast_2d(X)[0] @ W + b


def parameter_count_weights_only():
    return 784 * 128 + 128 * 64 + 64 * 10


def xnor_params_xor():
    return [([[10, 10], [10, 10]], [-5, -15]), ([[10], [-10]], [-5])]


def xnor_params_high_only_on_00():
    return [([[10, 10], [10, 10]], [-5, -15]), ([[-10], [0]], [5])]


def forward_output_activation_on_hidden(X, params, hidden_activation, output_activation):
    A = X
    for W, b in params:
        A = output_activation(A @ W + b)
    return A


def forward_first_layer_only(X, params, hidden_activation, output_activation):
    W, b = params[0]
    return output_activation(X @ W + b) if len(params) == 1 else hidden_activation(X @ W + b)


# --- 04_activations -------------------------------------------------------------------------

def sigmoid_overflows(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def sigmoid_rounded_at_zero(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z > 0, 1 / (1 + e), e / (1 + e) * 0.999)


def sigmoid_grad_of_output(z):
    return z * (1 - z)


def tanh_overflows(z):
    z = np.asarray(z, dtype=float)
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))


def tanh_as_sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def relu_abs(z):
    return np.abs(z)


def leaky_fixed_slope(z, slope=0.1):
    return np.where(z >= 0, z, 0.1 * z), np.where(z > 0, 1.0, slope)


def leaky_grad_right_slope_at_zero(z, slope=0.1):
    return np.where(z >= 0, z, slope * z), np.where(z >= 0, 1.0, slope)


def leaky_grad_zero_on_the_left(z, slope=0.1):
    return np.where(z >= 0, z, slope * z), (z > 0).astype(float)


def leaky_only_the_value(z, slope=0.1):
    return np.where(z >= 0, z, slope * z)


def elu_exp_sees_everything(z, alpha=1.0):
    return np.where(z >= 0, z, alpha * (np.exp(z) - 1)), np.where(z >= 0, 1.0, alpha * np.exp(z))


def elu_no_alpha(z, alpha=1.0):
    e = np.exp(np.minimum(z, 0))
    return np.where(z >= 0, z, e - 1), np.where(z >= 0, 1.0, alpha * e)


def elu_grad_no_alpha(z, alpha=1.0):
    e = np.exp(np.minimum(z, 0))
    return np.where(z >= 0, z, alpha * (e - 1)), np.where(z >= 0, 1.0, e)


def elu_grad_left_slope_at_zero(z, alpha=1.0):
    e = np.exp(np.minimum(z, 0))
    return np.where(z >= 0, z, alpha * (e - 1)), np.where(z > 0, 1.0, alpha * e)


def maxout_bias_without_axis(X, W, b):
    return (X @ W + b).max(axis=0)


def maxout_mean_of_pieces(X, W, b):
    return (X @ W + b[:, np.newaxis, :]).mean(axis=0)


# --- 05_losses ------------------------------------------------------------------------------

def mse_ignores_reduction(y_true, y_pred, reduction="mean"):
    return np.mean((y_true - y_pred) ** 2)


def mae_squared(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def huber_strict_boundary(y_true, y_pred, delta=1.0):
    a = np.abs(y_true - y_pred)
    return np.mean(np.where(a < delta, 0.5 * a**2, delta * (a - delta)))


def huber_fixed_delta(y_true, y_pred, delta=1.0):
    a = np.abs(y_true - y_pred)
    return np.mean(np.where(a <= 1.0, 0.5 * a**2, a - 0.5))


def log_cosh_overflows(y_true, y_pred):
    return np.mean(np.log(np.cosh(y_true - y_pred)))


def quantile_swapped(y_true, y_pred, q=0.5):
    r = y_pred - y_true
    return np.mean(np.where(r >= 0, q * r, (q - 1) * r))


def kinked_at_zero_the_tube_too():
    return "b, e, f"


def bce_unclipped(y_true, y_pred):
    return -np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))


def bce_summed(y_true, y_pred):
    p = np.clip(y_pred, 1e-12, 1 - 1e-12)
    return -np.sum(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def hinge_zero_one_labels(y_true, scores):
    return np.mean(np.maximum(0.0, 1 - y_true * scores))


def mse_and_grad_no_mean(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2), -2 * (y_true - y_pred)


def mse_and_grad_rows_only(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2), -2 * (y_true - y_pred) / len(y_pred)


def mse_and_grad_only_the_gradient(y_true, y_pred):
    return -2 * (y_true - y_pred) / y_pred.size


def huber_and_grad_unclipped(y_true, y_pred, delta=1.0):
    return huber(y_true, y_pred, delta), -(y_true - y_pred) / y_pred.size  # noqa: F821


def huber_and_grad_summed_cost(y_true, y_pred, delta=1.0):
    r = y_true - y_pred
    return huber(y_true, y_pred, delta) * r.size, -np.clip(r, -delta, delta) / r.size  # noqa: F821


# --- 06_backprop ----------------------------------------------------------------------------

def neuron_gradients_no_sigmoid_grad(x, y, w, b):
    a = activations.sigmoid(np.dot(x, w) + b)
    delta = 2 * (a - y)
    return delta * x, float(delta)


def dense_backward_db_mean(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)


def dense_backward_dw_transposed(dZ, X, W):
    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)


def activation_backward_at_output(dA, Z, name):
    f, f_grad = activations.ACTIVATIONS[name]
    return dA * f_grad(f(Z))


def numerical_forward(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old
        grad[i] = (up - f(x)) / eps
    return grad


def numerical_callers_array(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += eps
        up = f(x)
        x[i] -= 2 * eps
        down = f(x)
        x[i] += eps
        grad[i] = (up - down) / (2 * eps)
    return grad


def two_layer_no_mean(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    A2 = activations.sigmoid(A1 @ W2 + b2)
    dZ2 = A2 - y
    dA1, dW2, db2 = dense_backward(dZ2, A1, W2)  # noqa: F821
    _, dW1, db1 = dense_backward(activation_backward(dA1, Z1, "tanh"), X, W1)  # noqa: F821
    return dW1, db1, dW2, db2


# --- 07_gradient_descent --------------------------------------------------------------------

def gd_step_in_place(theta, grad, learning_rate):
    theta -= learning_rate * grad
    return theta


def gd_step_uphill(theta, grad, learning_rate):
    return theta + learning_rate * grad


def gradient_descent_no_start(grad_fn, x0, learning_rate, n_steps):
    x = np.array(x0, dtype=float)
    path = []
    for _ in range(n_steps):
        x = gd_step(x, grad_fn(x), learning_rate)  # noqa: F821
        path.append(x)
    return np.array(path).reshape(n_steps, -1)


def gradient_descent_one_gradient(grad_fn, x0, learning_rate, n_steps):
    x = np.array(x0, dtype=float)
    g = grad_fn(x)
    path = [x]
    for _ in range(n_steps):
        x = gd_step(x, g, learning_rate)  # noqa: F821
        path.append(x)
    return np.array(path)


def learning_rate_diverges():
    return 0.11


def minibatch_fixed_seed(n_samples, batch_size, rng):
    order = np.random.default_rng(42).permutation(n_samples)
    return [order[start:start + batch_size] for start in range(0, n_samples, batch_size)]


def minibatch_drops_remainder(n_samples, batch_size, rng):
    order = rng.permutation(n_samples)
    return [order[k * batch_size:(k + 1) * batch_size] for k in range(max(n_samples // batch_size, 1))]


def momentum_old_velocity(theta, velocity, grad, learning_rate, beta):
    new_velocity = beta * velocity - learning_rate * grad
    return theta + velocity, new_velocity


def train_linear_sum_gradient(X, y, learning_rate, epochs, batch_size, rng):
    w, b = np.zeros(X.shape[1]), 0.0
    history = []
    for _ in range(epochs):
        for batch in minibatch_indices(len(X), batch_size, rng):  # noqa: F821
            r = X[batch] @ w + b - y[batch]
            w = gd_step(w, 2 * X[batch].T @ r / len(X), learning_rate)  # noqa: F821
            b = gd_step(b, 2 * r.sum() / len(X), learning_rate)  # noqa: F821
        history.append(np.mean((X @ w + b - y) ** 2))
    return w, float(b), np.array(history)


def train_linear_one_order(X, y, learning_rate, epochs, batch_size, rng):
    batches = minibatch_indices(len(X), batch_size, rng)  # noqa: F821
    w, b = np.zeros(X.shape[1]), 0.0
    history = []
    for _ in range(epochs):
        for batch in batches:
            r = X[batch] @ w + b - y[batch]
            w = gd_step(w, 2 * X[batch].T @ r / len(batch), learning_rate)  # noqa: F821
            b = gd_step(b, 2 * r.mean(), learning_rate)  # noqa: F821
        history.append(np.mean((X @ w + b - y) ** 2))
    return w, float(b), np.array(history)


def train_linear_history_before(X, y, learning_rate, epochs, batch_size, rng):
    w, b = np.zeros(X.shape[1]), 0.0
    history = []
    for _ in range(epochs):
        history.append(np.mean((X @ w + b - y) ** 2))
        for batch in minibatch_indices(len(X), batch_size, rng):  # noqa: F821
            r = X[batch] @ w + b - y[batch]
            w = gd_step(w, 2 * X[batch].T @ r / len(batch), learning_rate)  # noqa: F821
            b = gd_step(b, 2 * r.mean(), learning_rate)  # noqa: F821
    return w, float(b), np.array(history)


def train_momentum_velocity_per_epoch(X, y, learning_rate, beta, epochs, batch_size, rng):
    w, b = np.zeros(X.shape[1]), 0.0
    history = []
    for _ in range(epochs):
        v_w, v_b = np.zeros_like(w), 0.0
        for batch in minibatch_indices(len(X), batch_size, rng):  # noqa: F821
            r = X[batch] @ w + b - y[batch]
            w, v_w = momentum_step(w, v_w, 2 * X[batch].T @ r / len(batch), learning_rate, beta)  # noqa: F821
            b, v_b = momentum_step(b, v_b, 2 * r.mean(), learning_rate, beta)  # noqa: F821
        history.append(np.mean((X @ w + b - y) ** 2))
    return w, float(b), np.array(history)


def train_momentum_plain_bias(X, y, learning_rate, beta, epochs, batch_size, rng):
    w, b = np.zeros(X.shape[1]), 0.0
    v_w = np.zeros_like(w)
    history = []
    for _ in range(epochs):
        for batch in minibatch_indices(len(X), batch_size, rng):  # noqa: F821
            r = X[batch] @ w + b - y[batch]
            w, v_w = momentum_step(w, v_w, 2 * X[batch].T @ r / len(batch), learning_rate, beta)  # noqa: F821
            b = b - learning_rate * 2 * r.mean()
        history.append(np.mean((X @ w + b - y) ** 2))
    return w, float(b), np.array(history)


# --- 08_deep_networks -----------------------------------------------------------------------

def deep_forward_last_cache_only(X, params, activations):
    A = X
    for (W, b), name in zip(params, activations):
        Z, dense_cache = layers.dense_forward(A, W, b)
        A, activation_cache = layers.activation_forward(Z, name)
    return A, [(dense_cache, activation_cache)]


def deep_forward_first_activation_everywhere(X, params, activations):
    A = X
    caches = []
    for W, b in params:
        Z, dense_cache = layers.dense_forward(A, W, b)
        A, activation_cache = layers.activation_forward(Z, activations[0])
        caches.append((dense_cache, activation_cache))
    return A, caches


def deep_backward_same_dA(dA, caches):
    grads = []
    for dense_cache, activation_cache in reversed(caches):
        dZ = layers.activation_backward(dA, activation_cache)
        _, dW, db = layers.dense_backward(dZ, dense_cache)
        grads.append((dW, db))
    return grads[::-1]


def init_first_fan_in_everywhere(layer_sizes, scheme, rng):
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        n0 = layer_sizes[0]
        variance = 2 / n0 if scheme == "he" else 2 / (n0 + n_out)
        params.append((rng.normal(0.0, np.sqrt(variance), size=(n_in, n_out)), np.zeros(n_out)))
    return params


def init_seeded_zero(layer_sizes, scheme, rng):
    mine = np.random.default_rng(0)
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        variance = 2 / n_in if scheme == "he" else 2 / (n_in + n_out)
        params.append((mine.normal(0.0, np.sqrt(variance), size=(n_in, n_out)), np.zeros(n_out)))
    return params


def deep_train_history_after(X, Y, params, activations, learning_rate, epochs):
    history = []
    for _ in range(epochs):
        A, caches = forward(X, params, activations)  # noqa: F821
        grads = backward(losses.binary_cross_entropy_grad(Y, A), caches)  # noqa: F821
        params = [(W - learning_rate * dW, b - learning_rate * db)
                  for (W, b), (dW, db) in zip(params, grads)]
        history.append(losses.binary_cross_entropy(Y, forward(X, params, activations)[0]))  # noqa: F821
    return params, history


def deep_train_in_place(X, Y, params, activations, learning_rate, epochs):
    history = []
    for _ in range(epochs):
        A, caches = forward(X, params, activations)  # noqa: F821
        history.append(losses.binary_cross_entropy(Y, A))
        grads = backward(losses.binary_cross_entropy_grad(Y, A), caches)  # noqa: F821
        for (W, b), (dW, db) in zip(params, grads):
            W -= learning_rate * dW
            b -= learning_rate * db
    return params, history


# --- 09_optimizers --------------------------------------------------------------------------

def rmsprop_eps_inside(theta, sq_avg, grad, learning_rate, beta, eps):
    new_sq_avg = beta * sq_avg + (1 - beta) * grad ** 2
    return theta - learning_rate * grad / np.sqrt(new_sq_avg + eps), new_sq_avg


def rmsprop_old_average(theta, sq_avg, grad, learning_rate, beta, eps):
    new_sq_avg = beta * sq_avg + (1 - beta) * grad ** 2
    return theta - learning_rate * grad / (np.sqrt(sq_avg) + eps), new_sq_avg


def adam_returns_corrected_state(theta, m, v, grad, t, learning_rate, beta1, beta2, eps):
    m_hat = (beta1 * m + (1 - beta1) * grad) / (1 - beta1 ** t)
    v_hat = (beta2 * v + (1 - beta2) * grad ** 2) / (1 - beta2 ** t)
    return theta - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat


def adam_counts_from_zero(theta, m, v, grad, t, learning_rate, beta1, beta2, eps):
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = new_m / (1 - beta1 ** (t + 1))
    v_hat = new_v / (1 - beta2 ** (t + 1))
    return theta - learning_rate * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v


def step_decay_continuous(epoch, base_rate, drop, epochs_per_drop):
    return base_rate * drop ** (epoch / epochs_per_drop)


def step_decay_off_by_one(epoch, base_rate, drop, epochs_per_drop):
    return base_rate * drop ** ((epoch + 1) // epochs_per_drop)


def cosine_no_clamp(epoch, base_rate, n_epochs, min_rate):
    return min_rate + (base_rate - min_rate) * (1 + np.cos(np.pi * epoch / n_epochs)) / 2


def cosine_ignores_min(epoch, base_rate, n_epochs, min_rate):
    progress = min(epoch, n_epochs) / n_epochs
    return base_rate * (1 + np.cos(np.pi * progress)) / 2


# --- 10_multiclass --------------------------------------------------------------------------

def softmax_unshifted(Z):
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def softmax_whole_batch_sum(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum()


def one_hot_width_classes_present(y, n_classes):
    present = np.unique(y)
    return (np.asarray(y)[:, None] == present[None, :]).astype(float)


def one_hot_classes_as_rows(y, n_classes):
    Y = np.zeros((n_classes, len(y)))
    Y[y, np.arange(len(y))] = 1.0
    return Y


def sce_log_of_softmax(Z, Y):
    return -np.sum(Y * np.log(softmax(Z))) / len(Z)  # noqa: F821 - the notebook's answer


def sce_summed(Z, Y):
    shifted = Z - Z.max(axis=1, keepdims=True)
    return -np.sum(Y * (shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))))


def sce_grad_not_mean(Z, Y):
    return softmax(Z) - Y  # noqa: F821 - the notebook's answer


def sce_grad_y_minus_p(Z, Y):
    return (Y - softmax(Z)) / len(Z)  # noqa: F821 - the notebook's answer


def multiclass_train_history_after(X, Y, params, activations, learning_rate, epochs, forward,
                                   backward):
    history = []
    for _ in range(epochs):
        Z, caches = forward(X, params, activations)
        grads = backward(softmax_cross_entropy_grad(Z, Y), caches)  # noqa: F821
        params = [(W - learning_rate * dW, b - learning_rate * db)
                  for (W, b), (dW, db) in zip(params, grads)]
        history.append(softmax_cross_entropy(forward(X, params, activations)[0], Y))  # noqa: F821
    return params, history


def multiclass_train_biases_fixed(X, Y, params, activations, learning_rate, epochs, forward,
                                  backward):
    history = []
    for _ in range(epochs):
        Z, caches = forward(X, params, activations)
        history.append(softmax_cross_entropy(Z, Y))  # noqa: F821
        grads = backward(softmax_cross_entropy_grad(Z, Y), caches)  # noqa: F821
        params = [(W - learning_rate * dW, b) for (W, b), (dW, db) in zip(params, grads)]
    return params, history


def confusion_rows_predicted(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(C, (np.asarray(y_pred), np.asarray(y_true)), 1)
    return C


def confusion_width_from_labels(y_true, y_pred, n_classes):
    k = int(max(np.max(y_true), np.max(y_pred))) + 1
    C = np.zeros((k, k), dtype=int)
    for t, p in zip(y_true, y_pred):
        C[t, p] += 1
    return C


# --- 11_regularization ----------------------------------------------------------------------

def l2_with_biases(params, lam, n_samples):
    return lam / (2 * n_samples) * sum(np.sum(W ** 2) + np.sum(b ** 2) for W, b in params)


def l2_not_per_sample(params, lam, n_samples):
    return lam / 2 * sum(np.sum(W ** 2) for W, b in params)


def l2_first_layer_only(params, lam, n_samples):
    W, _ = params[0]
    return lam / (2 * n_samples) * np.sum(W ** 2)


def l2_grad_bias_slope(params, lam, n_samples):
    return [(lam / n_samples * W, lam / n_samples * b) for W, b in params]


def l2_grad_power_rule_forgotten(params, lam, n_samples):
    return [(lam / (2 * n_samples) * W ** 2, np.zeros_like(b)) for W, b in params]


def l2_grad_not_per_sample(params, lam, n_samples):
    return [(lam * W, np.zeros_like(b)) for W, b in params]


def dropout_column_mask(A, keep_prob, rng, training=True):
    if not training:
        return A, np.ones(A.shape, dtype=bool)
    mask = np.broadcast_to(rng.random(A.shape[1]) < keep_prob, A.shape)
    return A * mask / keep_prob, mask


def dropout_evaluation_by_default(A, keep_prob, rng, training=False):
    if not training:
        return A, np.ones(A.shape, dtype=bool)
    mask = rng.random(A.shape) < keep_prob
    return A * mask / keep_prob, mask


def dropout_draws_in_evaluation(A, keep_prob, rng, training=True):
    mask = rng.random(A.shape) < keep_prob
    if not training:
        return A, np.ones(A.shape, dtype=bool)
    return A * mask / keep_prob, mask


def dropout_divides_by_drop_rate(A, keep_prob, rng, training=True):
    if not training:
        return A, np.ones(A.shape, dtype=bool)
    mask = rng.random(A.shape) < keep_prob
    return A * mask / (1 - keep_prob + 1e-12), mask


def dropout_backward_all_units(dA, mask, keep_prob):
    return dA / keep_prob


def dropout_backward_unscaled(dA, mask, keep_prob):
    return dA * mask


# --- 13_capstone ----------------------------------------------------------------------------

def capstone_split_own_test_stats(X_train, X_test):
    return ((X_train - X_train.mean(axis=0)) / X_train.std(axis=0),
            (X_test - X_test.mean(axis=0)) / X_test.std(axis=0))


def capstone_split_sample_std(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
    return (X_train - mean) / std, (X_test - mean) / std


def capstone_init_biases_small(layer_sizes, rng):
    params = []
    for k, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):
        std = np.sqrt(2 / (n_in + n_out)) if k == len(layer_sizes) - 2 else np.sqrt(2 / n_in)
        params.append((rng.normal(0.0, std, size=(n_in, n_out)), np.full(n_out, 0.01)))
    return params


def capstone_init_he_output(layer_sizes, rng):
    return [(rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out)), np.zeros(n_out))
            for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]


def capstone_init_own_generator(layer_sizes, rng):
    own = np.random.default_rng(0)
    params = []
    for k, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):
        std = np.sqrt(2 / (n_in + n_out)) if k == len(layer_sizes) - 2 else np.sqrt(2 / n_in)
        params.append((own.normal(0.0, std, size=(n_in, n_out)), np.zeros(n_out)))
    return params


def capstone_cost_biases_penalised(y, probs, params, lam):
    p = np.clip(probs, 1e-12, 1 - 1e-12)
    penalty = sum(np.sum(W ** 2) + np.sum(b ** 2) for W, b in params)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + lam / (2 * len(y)) * penalty)


def capstone_cost_unclipped(y, probs, params, lam):
    with np.errstate(all="ignore"):
        ce = -np.mean(y * np.log(probs) + (1 - y) * np.log(1 - probs))
    return float(ce + lam / (2 * len(y)) * sum(np.sum(W ** 2) for W, _ in params))


def capstone_cost_penalty_halved_only(y, probs, params, lam):
    p = np.clip(probs, 1e-12, 1 - 1e-12)
    penalty = sum(np.sum(W ** 2) for W, _ in params)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + lam / 2 * penalty)


#: The capstone's longer answers: slips written by hand as one-hunk edits of its reference
#: templates (:mod:`autograder.checks.variants`), rather than copies of its loops.
_fwd = variants.variants_of(capstone._forward_template, {})
_bwd = variants.variants_of(capstone._backward_template, {})
_trn = variants.variants_of(capstone._train_template, {})
_OUT = "return activations.sigmoid(Z_out)[:, 0], caches"
_GRAD = "grads.append((A_prev.T @ dZ + lam / n * W, dZ.sum(axis=0)))"

capstone_forward_squeeze = _fwd("capstone_forward_squeeze", _OUT,
                                "return activations.sigmoid(Z_out).squeeze(), caches")
capstone_forward_cache_swapped = _fwd("capstone_forward_cache_swapped", "caches.append((A, Z))",
                                      "caches.append((Z, A))")
capstone_forward_tanh_hidden = _fwd("capstone_forward_tanh_hidden", "A = np.maximum(Z, 0)",
                                    "A = np.tanh(Z)")
capstone_backward_no_penalty = _bwd("capstone_backward_no_penalty", _GRAD,
                                    "grads.append((A_prev.T @ dZ, dZ.sum(axis=0)))")
capstone_backward_not_mean = _bwd("capstone_backward_not_mean", "dZ = (probs - y)[:, None] / n",
                                  "dZ = (probs - y)[:, None]")
capstone_backward_relu_slope_ignored = _bwd("capstone_backward_relu_slope_ignored",
                                            "dZ = (dZ @ W.T) * (caches[k - 1][1] > 0)",
                                            "dZ = dZ @ W.T")
capstone_train_seed_ignored = _trn("capstone_train_seed_ignored",
                                   "rng = np.random.default_rng(seed)",
                                   "rng = np.random.default_rng(0)")
capstone_train_weights_own_generator = _trn(
    "capstone_train_weights_own_generator", "params = init_params(layer_sizes, rng)",
    "params = init_params(layer_sizes, np.random.default_rng(seed))")
capstone_train_history_unpenalised = _trn(
    "capstone_train_history_unpenalised",
    "train_history.append(cost(y_train, forward(X_train, params)[0], params, lam))",
    "train_history.append(cost(y_train, forward(X_train, params)[0], params, 0.0))")
capstone_train_schedule_one_late = _trn(
    "capstone_train_schedule_one_late", "rate = cosine_decay(epoch, learning_rate, max_epochs)",
    "rate = cosine_decay(epoch + 1, learning_rate, max_epochs)")


def capstone_minibatch_drops_last(n_samples, batch_size, rng):
    order = rng.permutation(n_samples)
    return [order[s:s + batch_size] for s in range(0, n_samples - batch_size + 1, batch_size)]


def capstone_minibatch_global_rng(n_samples, batch_size, rng):
    order = np.random.permutation(n_samples)
    return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]


def capstone_adam_counts_from_zero(params, grads, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                                   eps=1e-8):
    new = [], [], []
    for layer in zip(params, grads, m, v):
        stepped = [], [], []
        for P, dP, mP, vP in zip(*layer):
            mP = beta1 * mP + (1 - beta1) * dP
            vP = beta2 * vP + (1 - beta2) * dP ** 2
            m_hat, v_hat = mP / (1 - beta1 ** (t + 1)), vP / (1 - beta2 ** (t + 1))
            for out, x in zip(stepped, (P - learning_rate * m_hat / (np.sqrt(v_hat) + eps), mP, vP)):
                out.append(x)
        for out, x in zip(new, stepped):
            out.append(tuple(x))
    return new


def capstone_adam_in_place(params, grads, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                           eps=1e-8):
    for layer, layer_grads, layer_m, layer_v in zip(params, grads, m, v):
        for P, dP, mP, vP in zip(layer, layer_grads, layer_m, layer_v):
            mP *= beta1
            mP += (1 - beta1) * dP
            vP *= beta2
            vP += (1 - beta2) * dP ** 2
            P -= learning_rate * (mP / (1 - beta1 ** t)) / (np.sqrt(vP / (1 - beta2 ** t)) + eps)
    return ([tuple(a.copy() for a in layer) for layer in params],
            [tuple(a.copy() for a in layer) for layer in m],
            [tuple(a.copy() for a in layer) for layer in v])


def capstone_cosine_unclamped(epoch, base_rate, n_epochs, min_rate=0.0):
    return min_rate + (base_rate - min_rate) * (1 + np.cos(np.pi * epoch / n_epochs)) / 2


def capstone_cosine_to_zero(epoch, base_rate, n_epochs, min_rate=0.0):
    return base_rate * (1 + np.cos(np.pi * min(epoch, n_epochs) / n_epochs)) / 2


def capstone_predict_strictly_above(X, params, threshold=0.5):
    probs, _ = forward(X, params)  # noqa: F821 - the notebook's answer
    return (probs > threshold).astype(int)


def capstone_predict_half_always(X, params, threshold=0.5):
    probs, _ = forward(X, params)  # noqa: F821 - the notebook's answer
    return (probs >= 0.5).astype(int)


def capstone_pr_strictly_above(y, probs, thresholds):
    called = probs[None, :] > np.asarray(thresholds)[:, None]
    tp = np.sum(called & (y == 1), axis=1)
    n_called = np.sum(called, axis=1)
    return np.where(n_called > 0, tp / np.maximum(n_called, 1), 1.0), tp / np.sum(y == 1)


def capstone_pr_empty_is_zero(y, probs, thresholds):
    called = probs[None, :] >= np.asarray(thresholds)[:, None]
    tp = np.sum(called & (y == 1), axis=1)
    n_called = np.sum(called, axis=1)
    return np.where(n_called > 0, tp / np.maximum(n_called, 1), 0.0), tp / np.sum(y == 1)


#: ``{lesson: [(answer, property stated by its prompt, wrong function), ...]}``
MISTAKES = {
    "01_neuron": [
        ("weighted_sum", "adds the bias b", ws_no_bias),
        ("weighted_sum_batch", "one z per sample of the batch", wsb_one_sample_only),
        ("step", "fires at exactly z = 0 (z >= 0)", step_fires_above_zero),
        ("step", "element-wise on arrays", step_scalar_only),
        ("neuron_output", "the bias goes into z", neuron_output_ignores_bias),
        ("neuron_output", "applies the activation it is given", neuron_output_always_sigmoid),
        ("and_gate", "fires only for (1, 1)", and_gate_is_or_gate),
    ],
    "02_standardizing": [
        ("fit_statistics", "one mean per column (feature)", fit_means_over_rows),
        ("fit_statistics", "the population standard deviation", fit_sample_std),
        ("fit_statistics", "exactly 1.0 where the std is 0", fit_constant_scale_zero),
        ("fit_statistics", "the std itself elsewhere, even below 1", fit_every_small_std_one),
        ("standardize", "uses the mean it is given, not X's", standardize_own_statistics),
        ("standardize_split", "the test set uses the training statistics",
         standardize_split_test_own_stats),
        ("standardize_split", "a constant feature does not break the data",
         standardize_split_raw_std),
        ("predicted_price", "x = z s + mu", price_divides_by_scale),
        ("predicted_price", "a price in euros, not a z-score", price_in_standard_units),
    ],
    "03_forward": [
        ("dense", "adds the bias", dense_no_bias),
        ("dense", "every sample of the batch", dense_one_sample),
        ("parameter_count", "biases count too", parameter_count_weights_only),
        ("forward", "the hidden activation on hidden layers",
         forward_output_activation_on_hidden),
        ("forward", "every layer, any depth", forward_first_layer_only),
        ("xnor_params", "XNOR, not XOR", xnor_params_xor),
        ("xnor_params", "high on (1, 1) too", xnor_params_high_only_on_00),
    ],
    "04_activations": [
        ("sigmoid", "never overflows at z = -1000", sigmoid_overflows),
        ("sigmoid", "sigmoid(0) = 0.5 exactly", sigmoid_rounded_at_zero),
        ("sigmoid_grad", "a (1 - a) with a = sigmoid(z)", sigmoid_grad_of_output),
        ("tanh", "never overflows at z = +-1000", tanh_overflows),
        ("tanh", "tanh, not the sigmoid", tanh_as_sigmoid),
        ("relu", "0 for negative z", relu_abs),
        ("leaky_relu_and_grad", "uses the slope it is given", leaky_fixed_slope),
        ("leaky_relu_and_grad", "the left slope at z = 0", leaky_grad_right_slope_at_zero),
        ("leaky_relu_and_grad", "the derivative is the slope on the left", leaky_grad_zero_on_the_left),
        ("leaky_relu_and_grad", "the pair (value, derivative)", leaky_only_the_value),
        ("elu_and_grad", "np.exp never sees large positive z", elu_exp_sees_everything),
        ("elu_and_grad", "uses alpha", elu_no_alpha),
        ("elu_and_grad", "alpha e^z on the left", elu_grad_no_alpha),
        ("elu_and_grad", "the right slope 1 at z = 0", elu_grad_left_slope_at_zero),
        ("maxout_layer", "each piece its own bias, b[:, np.newaxis, :]", maxout_bias_without_axis),
        ("maxout_layer", "the largest piece", maxout_mean_of_pieces),
    ],
    "05_losses": [
        ("mse", "reduction='none' gives per-sample losses", mse_ignores_reduction),
        ("mae", "absolute errors", mae_squared),
        ("huber", "quadratic up to and including |r| = delta", huber_strict_boundary),
        ("huber", "uses the delta it is given", huber_fixed_delta),
        ("log_cosh", "finite for residuals of +-1000", log_cosh_overflows),
        ("quantile", "r = y_true - y_pred", quantile_swapped),
        ("kinked_at_zero", "the tube is flat at 0", kinked_at_zero_the_tube_too),
        ("binary_cross_entropy", "clips p before the logarithms", bce_unclipped),
        ("binary_cross_entropy", "the mean over samples", bce_summed),
        ("hinge", "labels 0/1 mapped to -1/+1", hinge_zero_one_labels),
        ("mse_and_grad", "the gradient of the mean", mse_and_grad_no_mean),
        ("mse_and_grad", "divides by every entry, 2-D too", mse_and_grad_rows_only),
        ("mse_and_grad", "the pair (cost, gradient)", mse_and_grad_only_the_gradient),
        ("huber_and_grad", "clipped at delta", huber_and_grad_unclipped),
        ("huber_and_grad", "the cost is the mean", huber_and_grad_summed_cost),
    ],
    "06_backprop": [
        ("neuron_gradients", "the sigmoid's derivative in the chain", neuron_gradients_no_sigmoid_grad),
        ("dense_backward", "db sums over samples", dense_backward_db_mean),
        ("dense_backward", "dW has the shape of W", dense_backward_dw_transposed),
        ("activation_backward", "the derivative at Z, the input", activation_backward_at_output),
        ("numerical_gradient", "centred differences", numerical_forward),
        ("numerical_gradient", "the caller's array is never changed", numerical_callers_array),
        ("two_layer_gradients", "the cost is a mean over samples", two_layer_no_mean),
    ],
    "07_gradient_descent": [
        ("gd_step", "does not modify theta in place", gd_step_in_place),
        ("gd_step", "steps against the gradient", gd_step_uphill),
        ("gradient_descent", "the path starts at x0", gradient_descent_no_start),
        ("gradient_descent", "the gradient at every point of the path",
         gradient_descent_one_gradient),
        ("good_learning_rate", "converges within 50 steps", learning_rate_diverges),
        ("minibatch_indices", "shuffles with the generator given", minibatch_fixed_seed),
        ("minibatch_indices", "the last batch holds the remainder", minibatch_drops_remainder),
        ("momentum_step", "theta moves by the new velocity", momentum_old_velocity),
        ("train_linear", "the batch gradient is a mean over the batch", train_linear_sum_gradient),
        ("train_linear", "a new order every epoch", train_linear_one_order),
        ("train_linear", "history[e] after the updates of epoch e", train_linear_history_before),
        ("train_linear_momentum", "velocities carried across epochs",
         train_momentum_velocity_per_epoch),
        ("train_linear_momentum", "b has a velocity too", train_momentum_plain_bias),
    ],
    "08_deep_networks": [
        ("forward", "one cache per layer", deep_forward_last_cache_only),
        ("forward", "each layer its own activation", deep_forward_first_activation_everywhere),
        ("backward", "passes dA_prev down", deep_backward_same_dA),
        ("init_params", "each layer's own n_in", init_first_fan_in_everywhere),
        ("init_params", "draws from the generator given", init_seeded_zero),
        ("train", "history holds the cost before each step", deep_train_history_after),
        ("train", "does not change the arrays given", deep_train_in_place),
    ],
    "09_optimizers": [
        ("rmsprop_step", "eps outside the square root", rmsprop_eps_inside),
        ("rmsprop_step", "the updated average divides the step", rmsprop_old_average),
        ("adam_step", "the state carried is m and v, not m_hat and v_hat",
         adam_returns_corrected_state),
        ("adam_step", "t counts from 1", adam_counts_from_zero),
        ("step_decay", "drops in whole steps (integer division)", step_decay_continuous),
        ("step_decay", "epoch 0 has the base rate", step_decay_off_by_one),
        ("cosine_decay", "stays at min_rate after n_epochs", cosine_no_clamp),
        ("cosine_decay", "ends at min_rate", cosine_ignores_min),
    ],
    "10_multiclass": [
        ("softmax", "shifted by the row's maximum: never overflows", softmax_unshifted),
        ("softmax", "each row sums to 1 (axis=1)", softmax_whole_batch_sum),
        ("one_hot", "the width is n_classes, never read from y", one_hot_width_classes_present),
        ("one_hot", "shape (n_samples, n_classes): a row per sample", one_hot_classes_as_rows),
        ("softmax_cross_entropy", "log p from the logits (log-sum-exp), no log of a softmax",
         sce_log_of_softmax),
        ("softmax_cross_entropy", "the mean over the samples", sce_summed),
        ("softmax_cross_entropy_grad", "the gradient of the mean cost", sce_grad_not_mean),
        ("softmax_cross_entropy_grad", "P - Y, not Y - P", sce_grad_y_minus_p),
        ("train", "history holds the cost before the step", multiclass_train_history_after),
        ("train", "every weight and every bias steps", multiclass_train_biases_fixed),
        ("confusion_matrix", "rows the true class, columns the predicted one",
         confusion_rows_predicted),
        ("confusion_matrix", "shape (n_classes, n_classes), never read from the labels",
         confusion_width_from_labels),
    ],
    "11_regularization": [
        ("l2_penalty", "the biases are left out", l2_with_biases),
        ("l2_penalty", "divided by 2n, n the number of samples", l2_not_per_sample),
        ("l2_penalty", "a sum over every layer", l2_first_layer_only),
        ("l2_penalty_grad", "db = 0: no bias appears in the penalty", l2_grad_bias_slope),
        ("l2_penalty_grad", "the slope, by the power rule (not the term itself)",
         l2_grad_power_rule_forgotten),
        ("l2_penalty_grad", "the constant lam / (2n) stays in front", l2_grad_not_per_sample),
        ("dropout_forward", "one draw of A's shape", dropout_column_mask),
        ("dropout_forward", "training=True by default", dropout_evaluation_by_default),
        ("dropout_forward", "in evaluation, draw nothing", dropout_draws_in_evaluation),
        ("dropout_forward", "the kept units divided by keep_prob", dropout_divides_by_drop_rate),
        ("dropout_backward", "a dropped unit gets no gradient", dropout_backward_all_units),
        ("dropout_backward", "the local derivative m / p: divided by keep_prob",
         dropout_backward_unscaled),
    ],
    "13_capstone": [
        ("standardize_split", "the test set scaled with the training statistics",
         capstone_split_own_test_stats),
        ("standardize_split", "X_train.std(axis=0), dividing by n", capstone_split_sample_std),
        ("init_params", "biases start at zero", capstone_init_biases_small),
        ("init_params", "Glorot for the sigmoid output layer", capstone_init_he_output),
        ("init_params", "every weight from the generator given", capstone_init_own_generator),
        ("forward", "probs of shape (n_samples,), also for one sample ([:, 0])",
         capstone_forward_squeeze),
        ("forward", "one cache (A_prev, Z) per layer", capstone_forward_cache_swapped),
        ("forward", "ReLU on the hidden layers", capstone_forward_tanh_hidden),
        ("cost", "the biases are not penalised", capstone_cost_biases_penalised),
        ("cost", "probabilities clipped before the logs", capstone_cost_unclipped),
        ("cost", "the penalty is lam / (2n)", capstone_cost_penalty_halved_only),
        ("backward", "adds the penalty's derivative", capstone_backward_no_penalty),
        ("backward", "the gradient of the mean cost", capstone_backward_not_mean),
        ("backward", "through the ReLU's slope", capstone_backward_relu_slope_ignored),
        ("minibatch_indices", "the last, smaller piece is a batch too",
         capstone_minibatch_drops_last),
        ("minibatch_indices", "the order from rng.permutation", capstone_minibatch_global_rng),
        ("adam_step", "t counts from 1", capstone_adam_counts_from_zero),
        ("adam_step", "without changing the arrays given", capstone_adam_in_place),
        ("cosine_decay", "keeps min_rate after n_epochs", capstone_cosine_unclamped),
        ("cosine_decay", "ends at min_rate", capstone_cosine_to_zero),
        ("train", "honours the seed", capstone_train_seed_ignored),
        ("train", "one generator: first the weights, then the shuffles",
         capstone_train_weights_own_generator),
        ("train", "the training history includes the penalty (lam)",
         capstone_train_history_unpenalised),
        ("train", "rate = cosine_decay(epoch, ...) from epoch 0", capstone_train_schedule_one_late),
        ("predict", "at least the threshold: p >= t", capstone_predict_strictly_above),
        ("predict", "uses the threshold given", capstone_predict_half_always),
        ("precision_recall", "positive where probs >= t", capstone_pr_strictly_above),
        ("precision_recall", "precision 1.0 where nothing is called positive",
         capstone_pr_empty_is_zero),
    ],
}


# --- 12_autograd ----------------------------------------------------------------------------

def topo_root_first(root, parents):
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            order.append(node)
            stack.extend(parents[node])
    return order


def topo_recursion(root, parents):
    order, seen = [], set()

    def place(node):
        seen.add(node)
        for parent in parents[node]:
            if parent not in seen:
                place(parent)
        order.append(node)

    place(root)
    return order


def topo_duplicates(root, parents):
    order, stack = [], [(root, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((p, False) for p in parents[node])
    return order


def topo_all_nodes(root, parents):
    return list(range(len(parents)))


def sweep_overwrites(order, parents, local, seed=1.0):
    grad = {n: 0.0 for n in order}
    grad[order[-1]] = seed
    for node in reversed(order):
        for p, d in zip(parents[node], local[node]):
            grad[p] = d * grad[node]
    return [grad[n] for n in order]


def sweep_seed_one(order, parents, local, seed=1.0):
    grad = {n: 0.0 for n in order}
    grad[order[-1]] = 1.0
    for node in reversed(order):
        for p, d in zip(parents[node], local[node]):
            grad[p] = grad[p] + d * grad[node]
    return [grad[n] for n in order]


def sweep_first_to_last(order, parents, local, seed=1.0):
    grad = {n: 0.0 for n in order}
    grad[order[-1]] = seed
    for node in order:
        for p, d in zip(parents[node], local[node]):
            grad[p] = grad[p] + d * grad[node]
    return [grad[n] for n in order]


def sweep_returned_reversed(order, parents, local, seed=1.0):
    grad = {n: 0.0 for n in order}
    grad[order[-1]] = seed
    for node in reversed(order):
        for p, d in zip(parents[node], local[node]):
            grad[p] = grad[p] + d * grad[node]
    return [grad[n] for n in reversed(order)]


def unbroadcast_first_axis_once(grad, shape):
    if grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    return grad.sum(axis=tuple(i for i, s in enumerate(shape) if s == 1), keepdims=True)


def unbroadcast_no_keepdims(grad, shape):
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    return grad.sum(axis=tuple(i for i, s in enumerate(shape) if s == 1))


def unbroadcast_ignores_ones(grad, shape):
    return grad.sum(axis=tuple(range(grad.ndim - len(shape))))


def mul_full_shape(out_grad, a, b):
    return out_grad * b, out_grad * a


def mul_same_operand(out_grad, a, b):
    # unbroadcast: the notebook's own answer (the namespace this is defined in)
    return unbroadcast(out_grad * a, a.shape), unbroadcast(out_grad * b, b.shape)  # noqa: F821


def matmul_db_of_shape_m_k(out_grad, a, b):
    return out_grad @ b.T, out_grad.T @ a


def matmul_ignores_out_grad(out_grad, a, b):
    ones = np.ones_like(out_grad)
    return ones @ b.T, a.T @ ones


def sum_none_ignores_out_grad(out_grad, shape, axis=None):
    if axis is None:
        return np.ones(shape)
    return np.broadcast_to(np.expand_dims(out_grad, axis), shape).copy()


def sum_axis_not_restored(out_grad, shape, axis=None):
    return np.broadcast_to(out_grad, shape).copy()


def sum_divides_by_count(out_grad, shape, axis=None):
    grad = out_grad if axis is None else np.expand_dims(out_grad, axis)
    return np.broadcast_to(grad, shape) * np.size(out_grad) / np.prod(shape)


MISTAKES["12_autograd"] = [
    ("topological_order", "each node after its parents, root last", topo_root_first),
    ("topological_order", "without recursion", topo_recursion),
    ("topological_order", "a node reached twice appears once", topo_duplicates),
    ("topological_order", "only the nodes root depends on", topo_all_nodes),
    ("backward", "the parent adds what it receives", sweep_overwrites),
    ("backward", "seed for the root", sweep_seed_one),
    ("backward", "from the last node to the first", sweep_first_to_last),
    ("backward", "in the order of order", sweep_returned_reversed),
    ("unbroadcast", "sums the first grad.ndim - len(shape) axes", unbroadcast_first_axis_once),
    ("unbroadcast", "keeps the axes of length 1", unbroadcast_no_keepdims),
    ("unbroadcast", "sums over the axes where shape has a 1", unbroadcast_ignores_ones),
    ("mul_backward", "da and db of the shapes of a and b", mul_full_shape),
    ("mul_backward", "da from b, db from a", mul_same_operand),
    ("matmul_backward", "db of shape (k, m)", matmul_db_of_shape_m_k),
    ("matmul_backward", "the chain rule weighs by out_grad", matmul_ignores_out_grad),
    ("sum_backward", "axis=None: each entry receives the one gradient", sum_none_ignores_out_grad),
    ("sum_backward", "the summed axis put back before broadcasting", sum_axis_not_restored),
    ("sum_backward", "each entry adds with slope 1", sum_divides_by_count),
]
