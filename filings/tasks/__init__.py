"""Celery tasks of the filings app (autodiscovered through this package)."""

from filings.tasks.applications import *  # noqa: F403
from filings.tasks.materials import *  # noqa: F403
