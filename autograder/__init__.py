"""Grading for ann-course: the checks behind every exercise, the build and the grading pipeline."""
