"""Hidden-test checks, one module per lesson.

The module of an assignment is named after it without its number: ``01_neuron`` is checked by
``autograder.lessons.neuron``, ``05_losses`` by ``autograder.lessons.losses``.
"""

import importlib
import re


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
    """Every check (Exercise or Property) a lesson defines, by its name (unique in a lesson)."""
    from autograder.core import Check

    module = checks_module(assignment)
    found = {}
    for c in vars(module).values():
        if isinstance(c, Check):
            if c.name in found and found[c.name] is not c:
                raise ValueError(f"{module.__name__}: two checks are named {c.name!r}; give each "
                                 "check its own name (and `answer=` the function it grades)")
            found[c.name] = c
    return found


#: A hidden test's call of a check: ``checks.<check>(<answer>)`` on a line of its own.
HIDDEN_CALL = re.compile(r"^\s*checks\.([A-Za-z_]\w*)\(\s*([A-Za-z_]\w*)\s*\)\s*$", re.M)


def hidden_calls(source):
    """``[(check attribute, answer name), ...]`` called in a test cell's hidden region."""
    from autograder import notebooks

    hidden = "\n".join(notebooks.region(source, notebooks.BEGIN_HIDDEN, notebooks.END_HIDDEN))
    return HIDDEN_CALL.findall(hidden)
