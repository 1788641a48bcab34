"""The shapes the demo dataset is written in: persons, entities, websites, domains.

Each shape describes a *clean* filing by default; a deliberate problem is written as
an explicit departure (an expired domain, a missing form…) together with a
``problems`` label naming the inspection rule it exercises, so the list of
deliberate problems is read off the data instead of being kept by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stdnum.cn import ric, uscc

from filings.choices import IdType
from filings.validators import org_code_check_character, to_idna

# A DNS answer in the demo zone: (record type, value), e.g. ("A", "192.0.2.10").
Record = tuple[str, str]
# (inspection rule code, what is deliberately wrong — or, for a contrast, why it is fine)
Label = tuple[str, str]

# The provider's demo address ranges (documentation blocks, usable by the setting that
# lists reserved networks). Each helper below places a domain in one of them.
SERVERS_V4 = "192.0.2.0/24"
SERVERS_V6 = "2001:db8:1::/48"
LOAD_BALANCERS = "198.51.100.0/25"
CDN = "198.51.100.128/25"
OUR_CDN_ZONE = "cdn.democloud.example."
OTHER_CDN_ZONE = "othercdn.example.net."
# Which other access provider holds the filings waiting to be transferred here.
OTHER_PROVIDER = "other-cloud"
# The registrant is the filing entity itself (the clean case).
SAME_AS_ENTITY = "="


def on_servers(n: int, *, ipv6: bool = False) -> tuple[Record, ...]:
    """Hosted on our server ``192.0.2.n`` (and ``2001:db8:1::n`` when dual-stack)."""
    records: tuple[Record, ...] = (("A", f"192.0.2.{n}"),)
    return (*records, ("AAAA", f"2001:db8:1::{n:x}")) if ipv6 else records


def on_ipv6_only(n: int) -> tuple[Record, ...]:
    """Hosted on our IPv6 server ``2001:db8:1::n`` only (no A record at all)."""
    return (("AAAA", f"2001:db8:1::{n:x}"),)


def on_load_balancer(n: int) -> tuple[Record, ...]:
    """Behind our load balancer ``198.51.100.n``."""
    return (("A", f"198.51.100.{n}"),)


def cname_to(target: str) -> tuple[Record, ...]:
    """A CNAME to ``target`` (absolute, with the final dot)."""
    return (("CNAME", target),)


def at_address(ip: str) -> tuple[Record, ...]:
    """An A record pointing anywhere, ours or not."""
    return (("A", ip),)


# A domain left out of the zone on purpose: resolving it answers NXDOMAIN.
NOT_IN_ZONE: tuple[Record, ...] = ()


def resident_id(region: str, born: str, serial: int) -> str:
    """A valid resident ID number (GB 11643) for a region code, a birth date and a serial."""
    body = f"{region}{born}{serial:03d}"
    # stdnum expects the number with a check character in place, and ignores it.
    return body + ric.calc_check_digit(body + "0")


def credit_code(kind: str, region: str, org_serial: int) -> str:
    """A valid unified social credit code (GB 32100).

    ``kind`` is the registration authority and entity category (91 enterprise, 12
    public institution, 51 social organisation, 52 private non-enterprise unit, 53
    foundation, 31 law firm). Characters 9–17 form a valid organisation code too,
    as on real certificates.
    """
    org_body = f"{org_serial:08d}"
    body = f"{kind}{region}{org_body}{org_code_check_character(org_body)}"
    return body + uscc.calc_check_digit(body)


def with_wrong_check_character(code: str) -> str:
    """The same credit code with its last (check) character replaced by a wrong one."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    wrong = alphabet[(alphabet.index(code[-1]) + 1) % len(alphabet)]
    return code[:-1] + wrong


@dataclass(frozen=True)
class DemoPerson:
    """A person in charge, with a resident ID built from region, birth date and serial."""

    key: str
    name: str
    region: str
    born: str
    serial: int
    mobile: str
    landline: str = ""
    email: str = ""
    # Days since the mobile passed the SMS self-inspection; None: never verified.
    verified_days_ago: int | None = 14

    @property
    def id_type(self) -> str:
        return IdType.RESIDENT_ID

    @property
    def id_number(self) -> str:
        return resident_id(self.region, self.born, self.serial)


@dataclass(frozen=True)
class DemoDomain:
    """A domain of a website: where it resolves, who registered it, when it expires."""

    name: str
    records: tuple[Record, ...]
    registrar: str = "阿里云计算有限公司"
    expires_in_days: int = 700
    # SAME_AS_ENTITY, another registrant's name, or "" when the registrar gives none.
    registrant: str = SAME_AS_ENTITY
    real_name_status: str = "verified"

    @property
    def fqdn(self) -> str:
        """The name in lower-case IDNA form, as stored and as written in the zone."""
        return to_idna(self.name)

    @property
    def resolves(self) -> bool:
        return bool(self.records)


@dataclass(frozen=True)
class PreApproval:
    """A pre-approval (前置审批) of regulated content."""

    category: str
    number: str
    issuer: str

    def as_json(self) -> dict[str, str]:
        return {"category": self.category, "number": self.number, "issuer": self.issuer}


@dataclass(frozen=True)
class DemoWebsite:
    """A filed website; ``filing_number`` comes from its place in the entity's list."""

    name: str
    category: str
    domains: tuple[DemoDomain, ...]
    # Key of a person of the entity; None: the entity head runs the website too.
    head: str | None = None
    pre_approvals: tuple[PreApproval, ...] = ()
    # Material kinds deliberately not uploaded.
    missing_materials: frozenset[str] = frozenset()
    form_signed_days_ago: int = 21
    # The providers the bureau lists for this website; None: this provider only.
    registry_providers: tuple[str, ...] | None = None
    problems: tuple[Label, ...] = ()
    contrasts: tuple[Label, ...] = ()

    @property
    def slug(self) -> str:
        """A short ASCII name (the first domain's first label), used in file contents."""
        return self.domains[0].fqdn.split(".")[0]


def site(
    name: str, category: str, domain: str, records: tuple[Record, ...], **kwargs
) -> DemoWebsite:
    """A website with a single, clean domain (the common case)."""
    return DemoWebsite(name, category, (DemoDomain(domain, records),), **kwargs)


@dataclass(frozen=True)
class DemoEntity:
    """A filing entity of one demo customer, with its persons and filed websites."""

    key: str
    tenant: str
    entity_type: str
    name: str
    id_type: str
    id_number: str
    province: str
    address: str
    head: DemoPerson
    filing_number: str
    websites: tuple[DemoWebsite, ...]
    # The entity head is the legal representative unless another name is given.
    legal_representative: str = ""
    office_phone: str = ""
    emergency_phone: str = ""
    email: str = ""
    # Website heads other than the entity head.
    people: tuple[DemoPerson, ...] = ()
    # The bureau's spelling of the entity name, when it differs from ours.
    registry_name: str | None = None

    @property
    def legal_representative_name(self) -> str:
        return self.legal_representative or self.head.name

    def person(self, key: str | None) -> DemoPerson:
        """The website head named by ``key`` (the entity head for None)."""
        if key is None or key == self.head.key:
            return self.head
        for person in self.people:
            if person.key == key:
                return person
        raise KeyError(f"{self.key}: no person {key!r}")

    def website_filing_number(self, website: DemoWebsite) -> str:
        return f"{self.filing_number}-{self.websites.index(website) + 1}"


@dataclass(frozen=True)
class FilingElsewhere:
    """A website filing held at another access provider (the bureau's record only).

    ``entity`` is one of the demo customers' entities (a transfer candidate) or None
    for an entity unknown here, described by ``unrelated_entity`` as the bureau states
    it (entity_filing_number, entity_name, entity_type, entity_id_type,
    entity_id_number, province).
    """

    website_name: str
    website_serial: int
    domains: tuple[DemoDomain, ...]
    entity: DemoEntity | None = None
    unrelated_entity: dict[str, str] = field(default_factory=dict)
    providers: tuple[str, ...] = (OTHER_PROVIDER,)
