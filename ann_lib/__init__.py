"""ann_lib: the NumPy reference implementation behind the ann-course lessons.

Modules, in the order the course meets them:

* :mod:`ann_lib.neuron` -- one neuron: weighted sum and activation
* :mod:`ann_lib.activations` -- activation functions and their derivatives
* :mod:`ann_lib.preprocessing` -- feature standardization
* :mod:`ann_lib.losses` -- loss functions and their gradients
* :mod:`ann_lib.gradcheck` -- numerical gradients to check analytic ones
* :mod:`ann_lib.optim` -- gradient descent, momentum, RMSProp, Adam, mini-batches, learning-rate
  schedules
* :mod:`ann_lib.layers` -- forward and backward pass of one layer
* :mod:`ann_lib.network` -- a multi-layer perceptron built from the layers
* :mod:`ann_lib.deep` -- any-depth forward and backward loops, He/Glorot initialisation
* :mod:`ann_lib.datasets` -- small toy data sets and offline real data

Conventions: samples are rows, ``X`` has shape ``(n_samples, n_features)``,
a layer computes ``Z = X @ W + b`` with ``W`` of shape ``(n_in, n_out)`` and
``b`` of shape ``(n_out,)``. Randomness comes only from ``seed``/``rng``
arguments. Wrong shapes raise ``ValueError`` naming the shapes.

The lessons' figures and interactive explorers are course support, not reference
maths: they live in :mod:`ann_lib.teaching`, which is not imported here (it is imported
explicitly, ``from ann_lib import teaching``) and which no reference module imports.
"""

from ann_lib import (
    activations,
    datasets,
    deep,
    gradcheck,
    layers,
    losses,
    network,
    neuron,
    optim,
    preprocessing,
)
from ann_lib._validation import NotFittedError

__all__ = [
    "NotFittedError",
    "activations",
    "datasets",
    "deep",
    "gradcheck",
    "layers",
    "losses",
    "network",
    "neuron",
    "optim",
    "preprocessing",
]
__version__ = "0.1.0"
