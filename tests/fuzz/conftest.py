"""Every Cardin module imported before the probes run, so that their examples do not depend on
what ran before them: Hypothesis mixes in literal constants of the local modules loaded so far
(`hypothesis.internal.conjecture.providers`), and some modules are imported lazily."""

from __future__ import annotations

import importlib
import pkgutil

import cardin

# Alembic's environment script runs only under Alembic.
_NOT_IMPORTABLE = ("cardin.store.migrations",)

for module in pkgutil.walk_packages(cardin.__path__, prefix="cardin."):
    if not module.name.startswith(_NOT_IMPORTABLE):
        importlib.import_module(module.name)
