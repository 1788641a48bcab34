"""A chunk's rule results, written with one ``INSERT … ON CONFLICT DO UPDATE``.

A chunk of 500 websites answers 4,000 results. They reach PostgreSQL as one statement
whose rows come from ``unnest`` over one array per column, so no model instance and no
SQL text is made per row. The upsert key is the unique constraint on (campaign,
website, rule): a retried or duplicated chunk rewrites its results and never doubles
them. Rows go in (website, rule) order, the same lock order in every chunk, so
duplicated chunks wait for each other instead of deadlocking.

A pass keeps no evidence and no message beyond what the rule said; every other answer
keeps its full (masked) evidence.
"""

from __future__ import annotations

import datetime
import json

from django.db import connection

from inspections.models import RuleResult
from inspections.rules import Outcome, Status
from inspections.snapshot import Snapshot

# (field, SQL type of its array) in the order of the row tuples below.
_COLUMNS = (
    ("website", "bigint"),
    ("rule_code", "text"),
    ("tenant", "bigint"),
    ("rule_version", "integer"),
    ("status", "text"),
    ("severity", "text"),
    ("message", "text"),
    ("evidence", "jsonb"),
    ("fields", "jsonb"),
    ("input_hash", "text"),
)
# What a repeated chunk rewrites; created_at stays as the first write left it.
UPDATED = (
    "tenant", "rule_version", "status", "severity", "message", "evidence", "fields",
    "input_hash", "updated_at",
)  # fmt: skip
_NO_EVIDENCE, _NO_FIELDS = "{}", "[]"


def _column(name: str) -> str:
    return connection.ops.quote_name(RuleResult._meta.get_field(name).column)


def _upsert_sql() -> str:
    columns = ", ".join(_column(name) for name, _type in _COLUMNS)
    arrays = ", ".join(f"%s::{'text' if kind == 'jsonb' else kind}[]" for _name, kind in _COLUMNS)
    values = ", ".join(
        f"x.c{n}::jsonb" if kind == "jsonb" else f"x.c{n}"
        for n, (_name, kind) in enumerate(_COLUMNS)
    )
    aliases = ", ".join(f"c{n}" for n in range(len(_COLUMNS)))
    updates = ", ".join(f"{_column(name)} = EXCLUDED.{_column(name)}" for name in UPDATED)
    key = ", ".join(_column(name) for name in ("campaign", "website", "rule_code"))
    return (
        f"INSERT INTO {connection.ops.quote_name(RuleResult._meta.db_table)} "  # noqa: S608 (names from model metadata; values are parameters)
        f"({_column('campaign')}, {columns}, {_column('created_at')}, {_column('updated_at')}) "
        f"SELECT %s, {values}, %s, %s "
        f"FROM unnest({arrays}) WITH ORDINALITY AS x({aliases}, n) ORDER BY x.n "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


class ResultRows:
    """The results of one chunk, collected rule by rule and written in one statement."""

    def __init__(self, campaign_id: int, now: datetime.datetime):
        self.campaign_id = campaign_id
        self.now = now
        self._rows: list[tuple] = []

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, snapshot: Snapshot, version: int, outcome: Outcome, input_hash: str) -> None:
        passed = outcome.status == Status.PASS
        self._rows.append(
            (
                snapshot.website.id,
                outcome.code,
                snapshot.website.tenant_id,
                version,
                str(outcome.status),
                str(outcome.severity or ""),
                outcome.message,
                # Full evidence for what staff or the customer must look at; a pass keeps
                # its hash.
                _NO_EVIDENCE if passed or not outcome.evidence else json.dumps(outcome.evidence),
                json.dumps(list(outcome.fields)) if outcome.fields else _NO_FIELDS,
                input_hash,
            )
        )

    def write(self) -> int:
        """Upsert every row in one statement (inside the caller's transaction)."""
        if not self._rows:
            return 0
        self._rows.sort(key=lambda row: (row[0], row[1]))
        arrays = [list(column) for column in zip(*self._rows, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(_upsert_sql(), [self.campaign_id, self.now, self.now, *arrays])
        return len(self._rows)
