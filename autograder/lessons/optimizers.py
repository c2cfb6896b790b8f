"""Checks for lesson 09, optimizers: RMSProp, Adam and two learning-rate schedules."""

import numpy as np

from ann_lib import optim
from autograder.checks.core import Exercise, Mistake, case, expect
from autograder.lessons import self_check_for

__all__ = ["expect", "self_check", "rmsprop_step", "adam_step", "step_decay", "cosine_decay"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


# --- rmsprop_step ---------------------------------------------------------------------------

def _reference_rmsprop(theta, sq_avg, grad, learning_rate, beta, eps):
    return optim.rmsprop_step(theta, grad, sq_avg, learning_rate, beta, eps)


def _rmsprop_cases(rng):
    cases = [case(np.array([1.0, 1.0]), np.array([5.0, 0.0]), np.array([-1.0, 4.0]), 0.1, 0.75,
                  1e-8),
             case(np.array([0.0]), np.array([0.0]), np.array([1.0]), 0.1, 0.75, 0.5),
             case(np.array([2.0, -1.0, 0.5]), np.array([0.0, 0.0, 0.0]),
                  np.array([0.5, -3.0, 0.0]), 0.01, 0.9, 1e-8),
             case(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.5, 1.0], [0.1, 2.0]]),
                  np.array([[-2.0, 1.0], [0.3, -0.5]]), 0.05, 0.99, 0.1)]
    for shape in ((4,), (2, 3)):
        cases.append(case(rng.normal(size=shape), rng.uniform(0.0, 2.0, size=shape),
                          rng.normal(size=shape), float(rng.uniform(0.001, 0.1)),
                          float(rng.uniform(0.6, 0.99)), float(rng.choice([1e-8, 0.05, 0.3]))))
    return cases


def _rmsprop_strict_cases(rng):
    return [case(np.array([0.0, 1.0]), np.array([1e6, 0.0]), np.array([1000.0, -1000.0]), 0.01,
                 0.9, 1e-8)]


def rmsprop_weights_swapped(theta, sq_avg, grad, learning_rate, beta, eps):
    new_sq_avg = (1 - beta) * sq_avg + beta * grad ** 2
    return theta - learning_rate * grad / (np.sqrt(new_sq_avg) + eps), new_sq_avg


def rmsprop_gradient_not_squared(theta, sq_avg, grad, learning_rate, beta, eps):
    new_sq_avg = beta * sq_avg + (1 - beta) * grad
    return theta - learning_rate * grad / (np.sqrt(new_sq_avg) + eps), new_sq_avg


def rmsprop_divides_by_old_average(theta, sq_avg, grad, learning_rate, beta, eps):
    new_sq_avg = beta * sq_avg + (1 - beta) * grad ** 2
    return theta - learning_rate * grad / (np.sqrt(sq_avg) + eps), new_sq_avg


def rmsprop_eps_inside_sqrt(theta, sq_avg, grad, learning_rate, beta, eps):
    new_sq_avg = beta * sq_avg + (1 - beta) * grad ** 2
    return theta - learning_rate * grad / np.sqrt(new_sq_avg + eps), new_sq_avg


def rmsprop_average_not_returned(theta, sq_avg, grad, learning_rate, beta, eps):
    new_sq_avg = beta * sq_avg + (1 - beta) * grad ** 2
    return theta - learning_rate * grad / (np.sqrt(new_sq_avg) + eps), sq_avg


rmsprop_step = Exercise(
    name="rmsprop_step",
    reference=_reference_rmsprop,
    cases=_rmsprop_cases,
    strict_cases=_rmsprop_strict_cases,
    mistakes=[
        Mistake(rmsprop_weights_swapped,
                "the running mean's weights are swapped: beta weighs the PAST mean and 1 - beta "
                "the new squared gradient, s = beta * s + (1 - beta) * grad**2 (with beta = 0.9 "
                "the new gradient counts for only a tenth)."),
        Mistake(rmsprop_gradient_not_squared,
                "the running mean adds the gradient itself, not its square: RMSProp tracks the "
                "size of the gradient, s = beta * s + (1 - beta) * grad**2 (a negative gradient "
                "then even makes sqrt(s) fail)."),
        Mistake(rmsprop_divides_by_old_average,
                "the step divides by the previous mean of squares: update s first with this "
                "gradient, then divide by sqrt of the NEW s."),
        Mistake(rmsprop_eps_inside_sqrt,
                "eps is inside the square root: this lesson (like the Adam paper and PyTorch) "
                "adds it after the root, grad / (sqrt(s) + eps)."),
        Mistake(rmsprop_average_not_returned,
                "the mean of squares you return is the old one: return the updated s, which "
                "the next step needs."),
    ],
)


# --- adam_step ------------------------------------------------------------------------------

def _reference_adam(theta, m, v, grad, t, learning_rate, beta1, beta2, eps):
    return optim.adam_step(theta, grad, m, v, t, learning_rate, beta1, beta2, eps)


def _adam_cases(rng):
    cases = [case(np.array([1.0, -2.0]), np.zeros(2), np.zeros(2), np.array([0.5, -4.0]), 1, 0.1,
                  0.9, 0.999, 1e-8),
             case(np.array([1.0]), np.zeros(1), np.zeros(1), np.array([0.75]), 1, 0.1, 0.9, 0.999,
                  0.25),
             case(np.array([0.5, 0.5]), np.array([0.2, -0.1]), np.array([0.04, 0.01]),
                  np.array([1.0, 1.0]), 2, 0.01, 0.9, 0.999, 1e-8),
             case(np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([[0.1, 0.0], [-0.3, 0.2]]),
                  np.array([[0.01, 0.02], [0.05, 0.001]]), np.array([[0.2, -0.4], [1.0, 0.0]]), 7,
                  0.05, 0.8, 0.99, 0.01)]
    for shape, t in (((4,), 3), ((2, 3), 50)):
        m, g = rng.normal(size=shape) * 0.3, rng.normal(size=shape)
        cases.append(case(rng.normal(size=shape), m, m ** 2 + rng.uniform(0.0, 0.5, size=shape),
                          g, t, float(rng.uniform(0.001, 0.1)), float(rng.uniform(0.6, 0.95)),
                          float(rng.uniform(0.95, 0.9999)), float(rng.choice([1e-8, 0.1]))))
    return cases


def _adam_strict_cases(rng):
    return [case(np.array([0.0, 1.0]), np.zeros(2), np.zeros(2), np.array([1000.0, -1000.0]), 1,
                 0.001, 0.9, 0.999, 1e-8)]


def adam_no_bias_correction(theta, m, v, grad, t, learning_rate, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - learning_rate * m / (np.sqrt(v) + eps), m, v


def adam_betas_swapped(theta, m, v, grad, t, learning_rate, beta1, beta2, eps):
    m = beta2 * m + (1 - beta2) * grad
    v = beta1 * v + (1 - beta1) * grad ** 2
    m_hat, v_hat = m / (1 - beta2 ** t), v / (1 - beta1 ** t)
    return theta - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_returns_corrected_means(theta, m, v, grad, t, learning_rate, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat


def adam_eps_inside_sqrt(theta, m, v, grad, t, learning_rate, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - learning_rate * m_hat / np.sqrt(v_hat + eps), m, v


def adam_step_uses_raw_gradient(theta, m, v, grad, t, learning_rate, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    v_hat = v / (1 - beta2 ** t)
    return theta - learning_rate * grad / (np.sqrt(v_hat) + eps), m, v


adam_step = Exercise(
    name="adam_step",
    reference=_reference_adam,
    cases=_adam_cases,
    strict_cases=_adam_strict_cases,
    mistakes=[
        Mistake(adam_no_bias_correction,
                "the bias correction is missing: m and v start at 0, so early on they are too "
                "small; step with m_hat = m / (1 - beta1**t) and v_hat = v / (1 - beta2**t) "
                "(at t = 1 the step is then about learning_rate, not 3 times it)."),
        Mistake(adam_betas_swapped,
                "beta1 and beta2 are swapped: beta1 (0.9) decays the mean of the gradient m, "
                "beta2 (0.999) the mean of its square v, and each bias correction uses its own "
                "beta."),
        Mistake(adam_returns_corrected_means,
                "you returned the bias-corrected m_hat and v_hat as the new state: return the "
                "running means m and v themselves; the correction is recomputed from them at "
                "every step."),
        Mistake(adam_eps_inside_sqrt,
                "eps is inside the square root: Kingma & Ba add it after the root, "
                "m_hat / (sqrt(v_hat) + eps)."),
        Mistake(adam_step_uses_raw_gradient,
                "the step uses this step's gradient instead of its running mean: move by "
                "learning_rate * m_hat / (sqrt(v_hat) + eps), which carries Adam's momentum."),
    ],
)


# --- step_decay -----------------------------------------------------------------------------

def _reference_step_decay(epoch, base_rate, drop, epochs_per_drop):
    return optim.step_decay(epoch, base_rate, drop, epochs_per_drop)


def _decay_cases(rng):
    cases = [case(epoch, 0.1, 0.5, 10) for epoch in (0, 1, 9, 10, 11, 19, 20, 25)]
    cases += [case(0, 0.3, 0.1, 1), case(3, 0.3, 0.1, 1), case(4, 1.0, 0.8, 5),
              case(5, 1.0, 0.8, 5), case(14, 0.05, 0.5, 7), case(7, 2.0, 1.0, 3)]
    for _ in range(4):
        cases.append(case(int(rng.integers(0, 60)), float(rng.uniform(0.001, 1.0)),
                          float(rng.uniform(0.1, 0.9)), int(rng.integers(2, 12))))
    return cases


def decay_drops_an_epoch_early(epoch, base_rate, drop, epochs_per_drop):
    return base_rate * drop ** ((epoch + 1) // epochs_per_drop)


def decay_without_floor(epoch, base_rate, drop, epochs_per_drop):
    return base_rate * drop ** (epoch / epochs_per_drop)


def decay_every_epoch(epoch, base_rate, drop, epochs_per_drop):
    return base_rate * drop ** epoch


def decay_powers_the_product(epoch, base_rate, drop, epochs_per_drop):
    return (base_rate * drop) ** (epoch // epochs_per_drop)


step_decay = Exercise(
    name="step_decay",
    reference=_reference_step_decay,
    cases=_decay_cases,
    mistakes=[
        Mistake(decay_drops_an_epoch_early,
                "the rate drops one epoch early: epochs count from 0, so epochs 0 to "
                "epochs_per_drop - 1 keep base_rate; use epoch // epochs_per_drop, not "
                "(epoch + 1) // epochs_per_drop."),
        Mistake(decay_without_floor,
                "the rate decays smoothly every epoch: the exponent must be a whole number of "
                "drops, floor(epoch / epochs_per_drop) (epoch // epochs_per_drop), so the rate "
                "stays flat between drops."),
        Mistake(decay_every_epoch,
                "the rate drops every epoch: it should drop once per epochs_per_drop epochs, "
                "drop ** (epoch // epochs_per_drop)."),
        Mistake(decay_powers_the_product,
                "the power is applied to base_rate * drop: only drop is raised to the number of "
                "drops, base_rate * drop ** n (with your formula epoch 0 gives 1, not "
                "base_rate)."),
    ],
)


# --- cosine_decay ---------------------------------------------------------------------------

def _reference_cosine_decay(epoch, base_rate, n_epochs, min_rate):
    return optim.cosine_decay(epoch, base_rate, n_epochs, min_rate)


def _cosine_cases(rng):
    cases = [case(epoch, 0.1, 10, 0.0) for epoch in (0, 1, 5, 9, 10, 15)]
    cases += [case(5, 0.3, 10, 0.1), case(0, 0.3, 10, 0.1), case(20, 0.3, 10, 0.1),
              case(3, 1.0, 4, 0.5), case(1, 2.0, 1, 0.0), case(7, 0.05, 28, 0.01)]
    for _ in range(4):
        base = float(rng.uniform(0.01, 1.0))
        cases.append(case(int(rng.integers(0, 40)), base, int(rng.integers(5, 30)),
                          float(rng.uniform(0.0, base / 2))))
    return cases


def cosine_without_pi(epoch, base_rate, n_epochs, min_rate):
    epoch = min(epoch, n_epochs)
    return min_rate + (base_rate - min_rate) * (1 + np.cos(epoch / n_epochs)) / 2


def cosine_not_shifted(epoch, base_rate, n_epochs, min_rate):
    epoch = min(epoch, n_epochs)
    return min_rate + (base_rate - min_rate) * np.cos(np.pi * epoch / n_epochs)


def cosine_min_rate_added_on_top(epoch, base_rate, n_epochs, min_rate):
    epoch = min(epoch, n_epochs)
    return min_rate + base_rate * (1 + np.cos(np.pi * epoch / n_epochs)) / 2


def cosine_rises_after_the_end(epoch, base_rate, n_epochs, min_rate):
    return min_rate + (base_rate - min_rate) * (1 + np.cos(np.pi * epoch / n_epochs)) / 2


cosine_decay = Exercise(
    name="cosine_decay",
    reference=_reference_cosine_decay,
    cases=_cosine_cases,
    mistakes=[
        Mistake(cosine_without_pi,
                "the cosine's angle lacks pi: over the run it must sweep half a turn, "
                "cos(pi * epoch / n_epochs), from cos(0) = 1 to cos(pi) = -1."),
        Mistake(cosine_not_shifted,
                "the cosine is not shifted and halved: (1 + cos(...)) / 2 goes from 1 to 0; "
                "cos(...) alone goes down to -1, so the rate would end below min_rate (even "
                "negative)."),
        Mistake(cosine_min_rate_added_on_top,
                "min_rate is added on top of the whole base_rate: scale the cosine by the span "
                "base_rate - min_rate, so that epoch 0 gives exactly base_rate."),
        Mistake(cosine_rises_after_the_end,
                "after n_epochs the rate climbs again: the cosine turns back up past pi, so "
                "clamp the epoch, min(epoch, n_epochs), and keep min_rate from then on."),
    ],
)
