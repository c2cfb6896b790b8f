"""``ann-course build``: the student release made from ``solutions/``.

``build`` (nbgrader's generate_assignment, leak-checked, into ``course/``), ``release_data`` (each
lesson's graded cells, the package data ``ann-course check`` restores), ``sample_class`` (the
bundled sample class in ``examples/``).

May import: settings, notebooks, nbgrader_api, checks, lessons.
"""
