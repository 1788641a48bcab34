"""The access gate's decisions for a website's hosts, written with the step that causes them.

Rows are upserted in bulk inside the caller's transaction; after commit the hosts are
published to Redis by ``inspections.gate.publish.publish_hosts``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from filings.models import Domain
from inspections.gate.hosts import normalise_host
from inspections.models import AccessDecision, AccessState


def hosts_by_website(website_ids: Iterable[int]) -> dict[int, list[str]]:
    """The hosts of each website: the names of its domains in an active filing."""
    hosts: dict[int, list[str]] = defaultdict(list)
    rows = Domain.objects.filter(website_id__in=set(website_ids), is_active=True).values_list(
        "website_id", "name"
    )
    for website_id, name in rows:
        try:
            hosts[website_id].append(normalise_host(name))
        except ValueError:
            continue
    return hosts


def decide(cases: Iterable, state: str, reason: str) -> list[str]:
    """Set the decision of every host of each case's website; publish after commit.

    ``cases`` need ``pk``, ``website_id`` and ``tenant_id``. Returns the hosts written.
    """
    cases = list(cases)
    hosts = hosts_by_website(c.website_id for c in cases)
    rows = [
        AccessDecision(
            host=host,
            state=state,
            reason=reason[:200],
            case_id=case.pk,
            website_id=case.website_id,
            tenant_id=case.tenant_id,
        )
        for case in cases
        for host in hosts.get(case.website_id, ())
    ]
    if rows:
        AccessDecision.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["host"],
            update_fields=["state", "reason", "case", "website", "tenant", "updated_at"],
        )
    written = [row.host for row in rows]
    publish_after_commit(written)
    return written


def allow(cases: Iterable, reason: str) -> list[str]:
    """Access allowed again for the hosts of each case's website."""
    return decide(cases, AccessState.ALLOWED, reason)


def publish_after_commit(hosts: list[str]) -> None:
    if not hosts:
        return
    from inspections.gate.publish import publish_hosts

    transaction.on_commit(lambda: publish_hosts(hosts))
