"""Hidden-test checks, one module per lesson.

The module of an assignment is named after it without its number: ``01_neuron`` is checked by
``autograder.lessons.neuron``, ``05_losses`` by ``autograder.lessons.losses``.
"""

import importlib


def module_name(assignment):
    """``"01_neuron"`` -> ``"neuron"``."""
    number, _, topic = assignment.partition("_")
    if not (number.isdigit() and topic):
        raise ValueError(f"assignment ids look like '01_neuron', not {assignment!r}")
    return topic


def checks_module(assignment):
    """The checks module of an assignment, e.g. ``checks_module("01_neuron")``."""
    return importlib.import_module(f"autograder.lessons.{module_name(assignment)}")


def checks_of(assignment):
    """Every check (Exercise or Property) a lesson defines, by the function name it grades."""
    from autograder.core import Check

    module = checks_module(assignment)
    return {c.name: c for c in vars(module).values() if isinstance(c, Check)}
