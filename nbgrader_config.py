"""nbgrader configuration for instructors who run nbgrader directly (formgrader, validate).

The settings live in ``autograder/settings.py`` so that ``ann-course`` uses the very same ones.
"""

from autograder.settings import configure

configure(get_config())  # noqa: F821  (get_config is provided by nbgrader)
