"""Filings a benchmark builds in bulk: each customer's head, and websites with one
domain each, written ``batch`` at a time so memory stays flat for any N."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from filings.models import Domain, Entity, Person, Website


def resident_id(n: int) -> str:
    """A valid resident ID number, different for each ``n`` below 10,000."""
    from stdnum.cn import ric

    body = f"110105198001{n % 10000:04d}"[:17]
    return body + ric.calc_check_digit(body + "0")


def head(tenant, t: int) -> Person:
    """The head of customer number ``t``."""
    return Person.objects.create(
        tenant=tenant,
        name=f"负责人{t}",
        id_type="resident_id",
        id_number=resident_id(t),
        mobile=f"+86138{t:08d}",
        email=f"head{t}@bench.example.com",
    )


def websites(
    n: int, entities: Sequence[Entity], *, per_entity: int, name: str, host: str, batch: int
) -> Iterator[tuple[list[Website], list[Domain]]]:
    """``n`` websites, ``per_entity`` to each of ``entities`` in turn, each with the
    domain ``host`` (a pattern of ``i``, as ``name`` is); yields each batch saved."""
    for start in range(0, n, batch):
        saved = []
        for i in range(start, min(n, start + batch)):
            entity = entities[i // per_entity]
            saved.append(
                Website(
                    tenant_id=entity.tenant_id,
                    entity=entity,
                    name=name.format(i=i),
                    homepage_url=f"https://{host.format(i=i)}/",
                    content_category="corporate",
                    head_id=entity.head_id,
                    filing_number=f"{entity.filing_number}-{i % per_entity + 1}",
                )
            )
        Website.objects.bulk_create(saved, batch_size=batch)
        domains = [
            Domain(tenant_id=w.tenant_id, website=w, name=host.format(i=start + k))
            for k, w in enumerate(saved)
        ]
        Domain.objects.bulk_create(domains, batch_size=batch)
        yield saved, domains
