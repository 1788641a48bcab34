"""The demo dataset as data: accounts, customers, the provider's networks, DNS, filings.

``DELIBERATE_PROBLEMS`` lists every website that is wrong on purpose, with the
inspection rule it exercises; ``CLEAN_CONTRASTS`` lists clean websites that sit close
to a problem (a CDN CNAME chain, an IPv6-only site, a domain that would fail in
Shanghai but passes in Zhejiang). Every other website passes every rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from filings.choices import EntityType, IdType
from filings.demo.alpha import ALPHA_CLOUD, ALPHA_ENTITIES, ALPHA_SHANGHAI
from filings.demo.beta import BETA_ENTITIES, BETA_SICHUAN
from filings.demo.spec import (
    CDN,
    LOAD_BALANCERS,
    OTHER_CDN_ZONE,
    OUR_CDN_ZONE,
    SERVERS_V4,
    SERVERS_V6,
    DemoDomain,
    DemoEntity,
    DemoWebsite,
    FilingElsewhere,
    at_address,
    credit_code,
)

# The codes of the special-inspection rules (DOMAIN.md, "The special inspection").
INSPECTION_RULES: tuple[str, ...] = (
    "entity_identity",
    "contact_reachability",
    "required_materials",
    "dns_ip_ownership",
    "domain_expiry",
    "domain_owner",
    "content_consistency",
    "access_provider",
)

PORTAL_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    contact_email: str


@dataclass(frozen=True)
class DemoAccount:
    """A demo login: a customer (tenant membership), a compliance officer, or the admin."""

    username: str
    password: str
    role: str
    email: str
    tenant: str | None = None
    membership_role: str | None = None
    staff_role: str | None = None
    superuser: bool = False


TENANTS: tuple[DemoTenant, ...] = (
    DemoTenant("alpha", "Alpha Tech", "ops@alpha-cloud.example"),
    DemoTenant("beta", "Beta Media", "ops@beta-group.example"),
)

ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("alice", "alice-demo-pass", "customer, owner of Alpha Tech",
                "alice@alpha-cloud.example", tenant="alpha", membership_role="owner"),
    DemoAccount("carol", "carol-demo-pass", "customer, member of Alpha Tech",
                "carol@alpha-cloud.example", tenant="alpha", membership_role="member"),
    DemoAccount("bob", "bob-demo-pass", "customer, owner of Beta Media",
                "bob@beta-group.example", tenant="beta", membership_role="owner"),
    DemoAccount("rachel", "rachel-demo-pass", "compliance reviewer",
                "rachel@democloud.example", staff_role="reviewer"),
    DemoAccount("leo", "leo-demo-pass", "compliance lead",
                "leo@democloud.example", staff_role="lead"),
    DemoAccount("admin", "admin-demo-pass", "administrator (Django admin, superuser)",
                "admin@democloud.example", staff_role="admin", superuser=True),
)  # fmt: skip

# (CIDR, ProviderNetwork kind, description)
NETWORKS: tuple[tuple[str, str, str], ...] = (
    (SERVERS_V4, "servers", "Demo Cloud servers (IPv4)"),
    (SERVERS_V6, "servers", "Demo Cloud servers (IPv6)"),
    (LOAD_BALANCERS, "load_balancers", "Demo Cloud load balancers"),
    (CDN, "cdn", f"Demo Cloud CDN edges ({OUR_CDN_ZONE.rstrip('.')})"),
)

# Names the websites' CNAMEs lead to: our CDN edges and another provider's CDN.
INFRASTRUCTURE_RECORDS: tuple[tuple[str, str, str], ...] = (
    (f"edge-sh.{OUR_CDN_ZONE}", "A", "198.51.100.130"),
    (f"edge-sh.{OUR_CDN_ZONE}", "A", "198.51.100.131"),
    (f"edge-gz.{OUR_CDN_ZONE}", "A", "198.51.100.140"),
    (f"alpha-mall.{OUR_CDN_ZONE}", "CNAME", f"edge-gz.{OUR_CDN_ZONE}"),
    (f"beta-photo.{OUR_CDN_ZONE}", "CNAME", f"edge-sh.{OUR_CDN_ZONE}"),
    (f"alpha-datahub.{OTHER_CDN_ZONE}", "A", "203.0.113.80"),
)

ENTITIES: tuple[DemoEntity, ...] = (*ALPHA_ENTITIES, *BETA_ENTITIES)

# Filings the bureau holds at another provider: transfer candidates of our customers'
# entities (same name and ID), and one of an entity that has no account here.
FILINGS_ELSEWHERE: tuple[FilingElsewhere, ...] = (
    FilingElsewhere("阿尔法云博客", 6, (DemoDomain("alpha-blog.example",
                                                  at_address("203.0.113.51")),),
                    entity=ALPHA_CLOUD),
    FilingElsewhere("阿尔法开放平台", 6, (DemoDomain("alpha-open.example",
                                                    at_address("203.0.113.52")),),
                    entity=ALPHA_SHANGHAI),
    FilingElsewhere("贝塔社区论坛", 5, (DemoDomain("beta-forum.example",
                                                  at_address("203.0.113.53")),),
                    entity=BETA_SICHUAN),
    FilingElsewhere(
        "远山科技官网",
        1,
        (DemoDomain("yuanshan-tech.example", at_address("203.0.113.54")),),
        unrelated_entity={
            "entity_filing_number": "浙ICP备2022087654号",
            "entity_name": "浙江远山网络科技有限公司",
            "entity_type": EntityType.ENTERPRISE,
            "entity_id_type": IdType.USCC,
            "entity_id_number": credit_code("91", "330106", 24519628),
            "province": "330000",
        },
    ),
)  # fmt: skip


def websites() -> Iterator[tuple[DemoEntity, DemoWebsite]]:
    """Every demo website with its entity, in dataset order."""
    for entity in ENTITIES:
        for website in entity.websites:
            yield entity, website


# (rule code, website name, what is wrong)
DELIBERATE_PROBLEMS: list[tuple[str, str, str]] = [
    (code, website.name, description)
    for _entity, website in websites()
    for code, description in website.problems
]

# (rule code, website name, why this clean website is worth a look)
CLEAN_CONTRASTS: list[tuple[str, str, str]] = [
    (code, website.name, description)
    for _entity, website in websites()
    for code, description in website.contrasts
]
