"""The benchmark contract behind ``python manage.py bench NAME``.

A benchmark is a module ``<app>.benchmarks.<name>`` of one of the portal's apps with

* ``HELP``: one line for ``bench --help``;
* ``add_arguments(parser)``: its options;
* ``run(options, report) -> dict``: builds its own data, runs the real stack, measures,
  calls ``report(text)`` for readable progress lines and answers the figures.

The command prints the progress lines and then the figures as one final JSON line.
Benchmarks are not tests: they time things, tests do not.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

APPS = ("icpportal", "filings", "inspections", "notifications")


def discover() -> dict[str, ModuleType]:
    """Every benchmark module of the portal's apps, by name."""
    found: dict[str, ModuleType] = {}
    for app in APPS:
        try:
            package = importlib.import_module(f"{app}.benchmarks")
        except ModuleNotFoundError as error:
            if error.name != f"{app}.benchmarks":
                raise
            continue
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            if info.name in found:
                raise RuntimeError(f"Two benchmarks are named {info.name!r}.")
            found[info.name] = module
    return found
