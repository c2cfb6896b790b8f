"""ann_lib: the NumPy reference implementation behind the ann-course lessons.

Modules, in the order the course meets them:

* :mod:`ann_lib.neuron` -- one neuron: weighted sum and activation
* :mod:`ann_lib.activations` -- activation functions and their derivatives, softmax
* :mod:`ann_lib.preprocessing` -- feature standardization, one-hot labels
* :mod:`ann_lib.losses` -- loss functions and their gradients
* :mod:`ann_lib.gradcheck` -- numerical gradients to check analytic ones
* :mod:`ann_lib.optim` -- gradient descent, momentum, RMSProp, Adam, mini-batches, learning-rate
  schedules
* :mod:`ann_lib.layers` -- forward and backward pass of one layer
* :mod:`ann_lib.network` -- a multi-layer perceptron built from the layers
* :mod:`ann_lib.deep` -- any-depth forward and backward loops, He/Glorot initialisation
* :mod:`ann_lib.metrics` -- accuracy and the confusion matrix of a classifier
* :mod:`ann_lib.regularization` -- the L2 penalty and inverted dropout
* :mod:`ann_lib.autograd` -- reverse-mode automatic differentiation: a Tensor that records its
  graph, ``backward()`` in reverse topological order
* :mod:`ann_lib.datasets` -- small toy data sets and offline real data

Conventions: samples are rows, ``X`` has shape ``(n_samples, n_features)``,
a layer computes ``Z = X @ W + b`` with ``W`` of shape ``(n_in, n_out)`` and
``b`` of shape ``(n_out,)``. Randomness comes only from ``seed``/``rng``
arguments. Wrong shapes raise ``ValueError`` naming the shapes.

The lessons' figures and interactive explorers are course support, not reference
maths: they live in :mod:`ann_lib.teaching`, which is not imported here (it is imported
explicitly, ``from ann_lib import teaching``) and which no reference module imports.
"""

import importlib
from types import ModuleType

from ann_lib._validation import NotFittedError

#: The modules, imported when first used (``from ann_lib import neuron`` imports ``neuron`` only;
#: ``network`` brings in scikit-learn's base classes, which a lesson that never names it skips).
_MODULES = ("activations", "autograd", "datasets", "deep", "gradcheck", "layers", "losses",
            "metrics", "network", "neuron", "optim", "preprocessing", "regularization")


def __getattr__(name: str) -> ModuleType:
    if name in _MODULES:
        return importlib.import_module(f"ann_lib.{name}")
    raise AttributeError(f"module 'ann_lib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULES))


__all__ = [
    "NotFittedError",
    "activations",
    "autograd",
    "datasets",
    "deep",
    "gradcheck",
    "layers",
    "losses",
    "metrics",
    "network",
    "neuron",
    "optim",
    "preprocessing",
    "regularization",
]
__version__ = "0.1.0"
