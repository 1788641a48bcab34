"""A fleet of filed websites written set-based: what the sweep benchmark inspects.

Two websites per entity (its head runs both), one domain per website, and the
materials metadata a first filing in Zhejiang needs (no file is written: the sweep
never reads files). Everything is clean except a few deliberate findings, so the
results carry evidence as a real campaign's do:

- every ``FOREIGN_EVERY``-th website resolves to an address outside our networks;
- every ``RDAP_EVERY``-th domain has no registrant data and an anonymous domain
  certificate, so the domain-owner rule asks RDAP (the stub answers).

Rows go in with ``bulk_create`` in batches, ID numbers encrypted by their fields and
keyed hashes computed here (``bulk_create`` does not call ``save()``).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from filings.choices import ContentCategory, EntityType, IdType, MaterialKind, ServiceType
from filings.demo.spec import credit_code, resident_id
from filings.models import (
    Domain,
    Entity,
    Material,
    Person,
    ProviderNetwork,
    RegistryDomain,
    RegistryRecord,
    Website,
)
from filings.validators import format_entity_filing_number
from icpportal.crypto import keyed_hash
from icpportal.models import Tenant

PROVINCE = "330000"
PREFIX = "浙"
REGION = "330106"
HEAD_REGION = "110108"
WEBSITES_PER_ENTITY = 2
TENANTS = 4
BATCH = 5000
FOREIGN_EVERY = 100
RDAP_EVERY = 1000
DUAL_STACK_EVERY = 4
ZONE = "sweep-bench.test"
SERVERS_V4 = "192.0.2.0/24"
SERVERS_V6 = "2001:db8:1::/48"
FOREIGN_V4 = "203.0.113"
PDF = "application/pdf"
JPEG = "image/jpeg"


@dataclass(frozen=True)
class Fleet:
    websites: int
    entities: int
    domains: int
    materials: int
    # (ip, name) pairs for dnsmasq's hosts file: every domain and its www. name.
    hosts: list[tuple[str, str]]
    # Domains RDAP is asked about, with the registrant the stub answers.
    rdap_registrants: dict[str, str]


def domain_name(i: int) -> str:
    return f"w{i}.{ZONE}"


def addresses(i: int) -> list[str]:
    """What website ``i``'s names resolve to."""
    if i % FOREIGN_EVERY == FOREIGN_EVERY - 1:
        return [f"{FOREIGN_V4}.{i % 250 + 1}"]
    found = [f"192.0.2.{i % 250 + 1}"]
    if i % DUAL_STACK_EVERY == 0:
        found.append(f"2001:db8:1::{i % 65000 + 1:x}")
    return found


def asks_rdap(i: int) -> bool:
    return i % RDAP_EVERY == RDAP_EVERY - 1


def _entity_name(e: int) -> str:
    return f"杭州压测{e}号网络科技有限公司"


def _head_name(e: int) -> str:
    return f"压测负责人{e}"


def _material(tenant_id: int, kind: str, owner: dict, name: str, **values) -> Material:
    number = values.get("document_number", "")
    digest = hashlib.sha256(f"{kind}:{owner}".encode()).hexdigest()
    return Material(
        tenant_id=tenant_id,
        kind=kind,
        **owner,
        file=f"materials/bench/{digest[:32]}",
        original_name=name,
        sha256=digest,
        size=48_000,
        content_type=values.pop("content_type", PDF),
        document_number_hash=keyed_hash(number) if number else "",
        integrity_ok=True,
        **values,
    )


def _batches(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(start + size, total))


def build_fleet(websites: int, report: Callable[[str], None]) -> Fleet:
    """Write ``websites`` filed websites with their entities, heads, domains, materials
    and bureau records; answers what DNS and RDAP must serve for them."""
    today = timezone.localdate()
    now = timezone.now()
    tenants = [
        Tenant.objects.create(slug=f"bench-{n}", name=f"Bench customer {n}", is_active=True)
        for n in range(TENANTS)
    ]
    ProviderNetwork.objects.bulk_create(
        [
            ProviderNetwork(cidr=SERVERS_V4, kind="servers", description="Bench servers"),
            ProviderNetwork(cidr=SERVERS_V6, kind="servers", description="Bench servers v6"),
        ],
        ignore_conflicts=True,
    )
    entities_total = -(-websites // WEBSITES_PER_ENTITY)
    hosts: list[tuple[str, str]] = []
    rdap: dict[str, str] = {}
    materials = 0
    for entity_range in _batches(entities_total, BATCH // WEBSITES_PER_ENTITY):
        with transaction.atomic():
            materials += _write_batch(entity_range, websites, tenants, today, now, hosts, rdap)
        report(f"  fleet: {min(entity_range.stop * WEBSITES_PER_ENTITY, websites)} websites")
    # Fresh tables have no planner statistics; a production database has them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Fleet(websites, entities_total, websites, materials, hosts, rdap)


def _write_batch(entity_range, websites, tenants, today, now, hosts, rdap) -> int:
    verified = now - datetime.timedelta(days=10)
    people = []
    for e in entity_range:
        number = resident_id(HEAD_REGION, _born(e), e % 1000)
        people.append(
            Person(
                tenant_id=tenants[e % TENANTS].pk,
                name=_head_name(e),
                id_type=IdType.RESIDENT_ID,
                id_number=number,
                id_number_hash=keyed_hash(number),
                mobile=f"+86138{e:08d}",
                landline=f"+8657187{e % 1_000_000:06d}",
                email=f"head{e}@{ZONE}",
                mobile_verified_at=verified,
            )
        )
    Person.objects.bulk_create(people, batch_size=1000)
    entities = []
    for e, head in zip(entity_range, people, strict=True):
        number = credit_code("91", REGION, 10_000_000 + e)
        entities.append(
            Entity(
                tenant_id=head.tenant_id,
                entity_type=EntityType.ENTERPRISE,
                name=_entity_name(e),
                id_type=IdType.USCC,
                id_number=number,
                id_number_hash=keyed_hash(number),
                province_id=PROVINCE,
                address=f"浙江省杭州市西湖区压测路{e}号",
                legal_representative=head.name,
                head=head,
                office_phone=f"+8657188{e % 1_000_000:06d}",
                emergency_phone=f"+86139{e:08d}",
                email=f"icp{e}@{ZONE}",
                filing_number=format_entity_filing_number(PREFIX, 2024, e),
                state=Entity.State.ACTIVE,
            )
        )
    Entity.objects.bulk_create(entities, batch_size=1000)

    rows: list[Material] = []
    sites: list[tuple[int, Website, Entity]] = []
    for e, entity in zip(entity_range, entities, strict=True):
        head = entity.head
        count = min(WEBSITES_PER_ENTITY, websites - e * WEBSITES_PER_ENTITY)
        tenant_id = entity.tenant_id
        rows += [
            _material(tenant_id, MaterialKind.ENTITY_CERTIFICATE, {"entity": entity},
                      "营业执照.pdf", holder_name=entity.name, document_number=entity.id_number),
            _material(tenant_id, MaterialKind.HEAD_ID_FRONT, {"person": head}, "身份证人像面.jpg",
                      content_type=JPEG, holder_name=head.name, document_number=head.id_number,
                      valid_until=datetime.date(2036, 6, 30)),
            _material(tenant_id, MaterialKind.HEAD_ID_BACK, {"person": head}, "身份证国徽面.jpg",
                      content_type=JPEG, holder_name=head.name,
                      valid_until=datetime.date(2036, 6, 30)),
        ]  # fmt: skip
        if count >= 2:
            rows.append(
                _material(tenant_id, MaterialKind.CONSTRUCTION_PLAN, {"entity": entity},
                          "网站建设方案书.pdf", holder_name=entity.name)
            )  # fmt: skip
        for serial in range(1, count + 1):
            i = e * WEBSITES_PER_ENTITY + serial - 1
            website = Website(
                tenant_id=tenant_id,
                entity=entity,
                name=f"压测网站{i}",
                homepage_url=f"https://www.{domain_name(i)}/",
                content_category=ContentCategory.CORPORATE,
                head=head,
                service_type=ServiceType.WEBSITE,
                filing_number=f"{entity.filing_number}-{serial}",
                filing_state=Website.FilingState.FILED,
                access_state=Website.AccessState.ACCESSED,
            )
            sites.append((i, website, entity))
    Website.objects.bulk_create([w for _i, w, _e in sites], batch_size=1000)

    domains, records = [], []
    for i, website, entity in sites:
        name = domain_name(i)
        anonymous = asks_rdap(i)
        domains.append(
            Domain(
                tenant_id=website.tenant_id,
                website=website,
                name=name,
                registrar="" if anonymous else "压测注册商有限公司",
                registrant_name="" if anonymous else entity.name,
                registrant_id_type="" if anonymous else entity.id_type,
                registrant_id_number="" if anonymous else entity.id_number,
                registrant_id_hash="" if anonymous else entity.id_number_hash,
                expires_on=today + datetime.timedelta(days=730),
                real_name_status=Domain.RealNameStatus.VERIFIED,
            )
        )
        if anonymous:
            rdap[name] = entity.name
        for ip in addresses(i):
            hosts += [(ip, name), (ip, f"www.{name}")]
        head, tenant_id, owner = entity.head, website.tenant_id, {"website": website}
        rows += [
            _material(tenant_id, MaterialKind.VERIFICATION_FORM, owner,
                      "网站备案信息真实性核验单.pdf", holder_name=head.name,
                      signed_on=today - datetime.timedelta(days=10)),
            _material(tenant_id, MaterialKind.VERIFICATION_PHOTO, owner, "核验照片.jpg",
                      content_type=JPEG, holder_name=head.name),
            _material(tenant_id, MaterialKind.DOMAIN_CERTIFICATE, owner, f"域名证书-{name}.pdf",
                      holder_name="" if anonymous else entity.name, document_number=name),
        ]  # fmt: skip
        records.append(
            RegistryRecord(
                entity_filing_number=entity.filing_number,
                website_filing_number=website.filing_number,
                entity_name=entity.name,
                entity_type=entity.entity_type,
                entity_id_type=entity.id_type,
                entity_id_hash=entity.id_number_hash,
                province_id=PROVINCE,
                website_name=website.name,
                access_providers=[settings.PROVIDER_CODE],
                status=RegistryRecord.Status.ACTIVE,
            )
        )
    Domain.objects.bulk_create(domains, batch_size=1000)
    Material.objects.bulk_create(rows, batch_size=1000)
    RegistryRecord.objects.bulk_create(records, batch_size=1000)
    RegistryDomain.objects.bulk_create(
        [RegistryDomain(record=r, name=d.name) for r, d in zip(records, domains, strict=True)],
        batch_size=2000,
    )
    return len(rows)


def _born(e: int) -> str:
    day = datetime.date(1980, 1, 1) + datetime.timedelta(days=e // 1000)
    return day.strftime("%Y%m%d")
