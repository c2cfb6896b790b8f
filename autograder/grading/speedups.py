"""Process-wide caches for what nbgrader rebuilds for every notebook; results are unchanged.

* nbconvert creates a new Jinja environment for every exporter, so every feedback page parses
  and compiles its templates again; :func:`install` gives those environments one shared
  in-memory bytecode cache (Jinja checks each entry against the template's source checksum).
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class MemoryBytecodeCache(BytecodeCache):
    """Jinja's bytecode cache, in memory, shared by every environment of this process."""

    def __init__(self):
        self.store = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self.store.clear()


CACHE = MemoryBytecodeCache()
_installed = False


def install() -> None:
    """Patch nbconvert's TemplateExporter to use :data:`CACHE` (idempotent)."""
    global _installed
    if _installed:
        return
    from nbconvert.exporters.templateexporter import TemplateExporter

    create = TemplateExporter._create_environment

    def _create_environment(self):
        env = create(self)
        if env.bytecode_cache is None:
            env.bytecode_cache = CACHE
        return env

    TemplateExporter._create_environment = _create_environment  # type: ignore[method-assign]
    _installed = True


def skip_unused_imports() -> None:
    """Keep ``jsonschema`` from importing ``rfc3987_syntax`` in this process (call it early).

    ``jsonschema`` imports it, if installed, only for its "iri" format checker, and it builds a
    lark grammar when imported (about 1.4 s). nbformat validates notebooks without format checkers,
    so nothing nbgrader or the grader does uses it. No effect once ``jsonschema`` is imported.
    """
    import sys

    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
