"""The demo dataset of the embedded default: two customers, staff, ~50 filed websites.

The data is declared in ``alpha``/``beta``/``dataset`` (clean unless labelled),
written to the database by ``builder.seed_demo`` (``manage.py seed_demo``) and to
the demo DNS zone by ``zone.write_zone``. Importing this package touches no model,
so tests and rules can read the labels without a database.
"""

from filings.demo.dataset import (
    ACCOUNTS,
    CLEAN_CONTRASTS,
    DELIBERATE_PROBLEMS,
    ENTITIES,
    FILINGS_ELSEWHERE,
    INSPECTION_RULES,
    websites,
)

__all__ = [
    "ACCOUNTS",
    "CLEAN_CONTRASTS",
    "DELIBERATE_PROBLEMS",
    "ENTITIES",
    "FILINGS_ELSEWHERE",
    "INSPECTION_RULES",
    "websites",
]
