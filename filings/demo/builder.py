"""Writing the demo dataset into the database, idempotently and in one transaction.

Every row is found by its natural key (user name, tenant slug, ID-number hash,
filing number, domain name…) and written only when it is missing or differs from
the dataset, through the models' own ``save()`` so that ID numbers are encrypted
and hashed. A second run on the same day therefore changes nothing. Dates in the
dataset are relative to today (a domain expiring in 120 days, a form signed 200
days ago), so a run on a later day moves them along to keep each problem as labelled.

Passwords are set when a demo user is created and left alone afterwards (someone
may have changed theirs on purpose); ``reset_passwords=True`` sets them again. Staff
logins get an authenticator (a random secret) and recovery codes when they are
created; ``reset_passwords=True`` issues new recovery codes.
"""

from __future__ import annotations

import datetime
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from filings.choices import ServiceType
from filings.demo import materials as planned
from filings.demo.dataset import ACCOUNTS, ENTITIES, FILINGS_ELSEWHERE, NETWORKS, TENANTS
from filings.demo.spec import (
    SAME_AS_ENTITY,
    DemoEntity,
    DemoPerson,
    DemoWebsite,
    FilingElsewhere,
)
from filings.demo.upsert import SeedResult, Upserter
from filings.models import (
    Domain,
    Entity,
    Person,
    ProviderNetwork,
    RegistryDomain,
    RegistryRecord,
    Website,
)
from filings.reference_data import load_reference_data
from icpportal.accounts.two_factor.actions import (
    authenticator_of,
    authenticator_secret,
    do_provision_second_factor,
    do_regenerate_recovery_codes,
)
from icpportal.crypto import keyed_hash
from icpportal.models import Membership, StaffProfile, Tenant


def bureau_entity(entity: DemoEntity) -> dict[str, str]:
    """The entity as the bureau's record states it."""
    return {
        "entity_filing_number": entity.filing_number,
        "entity_name": entity.registry_name or entity.name,
        "entity_type": entity.entity_type,
        "entity_id_type": entity.id_type,
        "entity_id_number": entity.id_number,
        "province": entity.province,
    }


class DemoBuilder(Upserter):
    """Writes the dataset; one instance per run."""

    def __init__(self, *, today: datetime.date, reset_passwords: bool = False):
        super().__init__()
        self.today = today
        self.reset_passwords = reset_passwords
        self.tenants: dict[str, Tenant] = {}
        self.owners: dict[str, Any] = {}

    # -- accounts and networks ----------------------------------------------------

    def build(self) -> None:
        load_reference_data()
        self.accounts()
        for cidr, kind, description in NETWORKS:
            self.sync(
                ProviderNetwork,
                {"cidr": cidr},
                {"kind": kind, "description": description, "is_active": True},
            )
        for entity in ENTITIES:
            self.entity(entity)
        for filing in FILINGS_ELSEWHERE:
            self.filing_elsewhere(filing)

    def accounts(self) -> None:
        for tenant in TENANTS:
            self.tenants[tenant.slug] = self.sync(
                Tenant,
                {"slug": tenant.slug},
                {"name": tenant.name, "contact_email": tenant.contact_email, "is_active": True},
            )
        user_model = get_user_model()
        existing = set(
            user_model.objects.filter(username__in=[a.username for a in ACCOUNTS]).values_list(
                "username", flat=True
            )
        )
        new = [a for a in ACCOUNTS if a.username not in existing]
        # Hashing a password takes most of a second by design; hashlib releases the GIL,
        # so the new users' hashes are made side by side.
        with ThreadPoolExecutor() as pool:
            hashes = dict(
                zip(
                    (a.username for a in new),
                    pool.map(make_password, (a.password for a in new)),
                    strict=True,
                )
            )
        for account in ACCOUNTS:
            user = self.user(user_model, account, hashes.get(account.username))
            if account.tenant:
                self.sync(
                    Membership,
                    {"user_id": user.pk, "tenant_id": self.tenants[account.tenant].pk},
                    {"role": account.membership_role},
                )
                if account.membership_role == Membership.Role.OWNER:
                    self.owners[account.tenant] = user
            if account.staff_role:
                self.sync(
                    StaffProfile,
                    {"user_id": user.pk},
                    {"role": account.staff_role, "is_active": True},
                )
            if account.staff_role or account.superuser:
                self.second_factor(user)

    def user(self, user_model, account, password_hash: str | None) -> Any:
        values = {
            "email": account.email,
            "is_active": True,
            "is_staff": bool(account.staff_role or account.superuser),
            "is_superuser": account.superuser,
        }
        user = user_model.objects.filter(username=account.username).first()
        if user is None:
            user = user_model(username=account.username, password=password_hash, **values)
            user.save()
            self.result.created["User"] += 1
            return user
        user = self.sync(user_model, {"pk": user.pk}, values)
        if self.reset_passwords and not user.check_password(account.password):
            user.set_password(account.password)
            user.save(update_fields=["password"])
            self.result.updated["User"] += 1
        return user

    def second_factor(self, user) -> None:
        """Staff log in with a second factor: an authenticator app with a random secret
        and recovery codes, made once."""
        device = authenticator_of(user)
        codes: tuple[str, ...] = ()
        if device is None:
            result = do_provision_second_factor(user)
            device, codes = result.device, result.recovery_codes
            self.result.created["TOTPDevice"] += 1
        elif self.reset_passwords:
            codes = do_regenerate_recovery_codes(user).recovery_codes
            self.result.updated["StaticDevice"] += 1
        self.result.second_factors[user.username] = (authenticator_secret(device), codes)

    def attach(self, tenant: Tenant, owner: dict[str, int], materials) -> None:
        """Have these materials on file for one entity, person or website."""
        for material in materials:
            self.keep_material(tenant.pk, owner, material, self.owners.get(tenant.slug))

    # -- filings ------------------------------------------------------------------

    def person(self, tenant: Tenant, person: DemoPerson) -> Person:
        verified_at = None
        if person.verified_days_ago is not None:
            day = self.today - datetime.timedelta(days=person.verified_days_ago)
            verified_at = datetime.datetime.combine(
                day, datetime.time(10, 0), tzinfo=ZoneInfo(settings.TIME_ZONE)
            )
        row = self.sync(
            Person,
            {
                "tenant_id": tenant.pk,
                "id_type": person.id_type,
                "id_number_hash": keyed_hash(person.id_number),
            },
            {
                "name": person.name,
                "id_number": person.id_number,
                "mobile": person.mobile,
                "landline": person.landline,
                "email": person.email,
                "mobile_verified_at": verified_at,
            },
        )
        self.attach(tenant, {"person_id": row.pk}, planned.person_materials(person))
        return row

    def entity(self, entity: DemoEntity) -> None:
        tenant = self.tenants[entity.tenant]
        persons = {p.key: self.person(tenant, p) for p in (entity.head, *entity.people)}
        row = self.sync(
            Entity,
            {
                "tenant_id": tenant.pk,
                "id_type": entity.id_type,
                "id_number_hash": keyed_hash(entity.id_number),
            },
            {
                "entity_type": entity.entity_type,
                "name": entity.name,
                "id_number": entity.id_number,
                "province_id": entity.province,
                "address": entity.address,
                "legal_representative": entity.legal_representative_name,
                "head_id": persons[entity.head.key].pk,
                "office_phone": entity.office_phone,
                "emergency_phone": entity.emergency_phone,
                "email": entity.email,
                "filing_number": entity.filing_number,
                "state": Entity.State.ACTIVE,
            },
        )
        self.attach(tenant, {"entity_id": row.pk}, planned.entity_materials(entity))
        for website in entity.websites:
            head = persons[entity.person(website.head).key]
            self.website(tenant, entity, row, head, website)

    def website(
        self,
        tenant: Tenant,
        entity: DemoEntity,
        entity_row: Entity,
        head: Person,
        website: DemoWebsite,
    ) -> None:
        filing_number = entity.website_filing_number(website)
        row = self.sync(
            Website,
            {"filing_number": filing_number},
            {
                "tenant_id": tenant.pk,
                "entity_id": entity_row.pk,
                "name": website.name,
                "homepage_url": f"https://www.{website.domains[0].fqdn}/",
                "content_category": website.category,
                "pre_approvals": [p.as_json() for p in website.pre_approvals],
                "head_id": head.pk,
                "service_type": ServiceType.WEBSITE,
                "filing_state": Website.FilingState.FILED,
                "access_state": Website.AccessState.ACCESSED,
            },
        )
        for domain in website.domains:
            registrant = self.registrant(entity, domain.registrant)
            self.sync(
                Domain,
                {"name": domain.fqdn, "is_active": True},
                {
                    "tenant_id": tenant.pk,
                    "website_id": row.pk,
                    "registrar": domain.registrar,
                    **registrant,
                    "expires_on": self.today + datetime.timedelta(days=domain.expires_in_days),
                    "real_name_status": domain.real_name_status,
                },
            )
        files = planned.website_materials(entity, website, self.today)
        self.attach(tenant, {"website_id": row.pk}, files)
        self.registry_record(
            {
                **bureau_entity(entity),
                "website_filing_number": filing_number,
                "website_name": website.name,
            },
            website.registry_providers or (settings.PROVIDER_CODE,),
            [d.fqdn for d in website.domains],
        )

    @staticmethod
    def registrant(entity: DemoEntity, registrant: str) -> dict[str, str]:
        """The registrant columns of a domain: the entity, one of its persons, or nothing."""
        if registrant == SAME_AS_ENTITY:
            return {
                "registrant_name": entity.name,
                "registrant_id_type": entity.id_type,
                "registrant_id_number": entity.id_number,
            }
        person = next((p for p in (entity.head, *entity.people) if p.name == registrant), None)
        return {
            "registrant_name": registrant,
            "registrant_id_type": person.id_type if person else "",
            "registrant_id_number": person.id_number if person else "",
        }

    def registry_record(self, record: dict[str, Any], providers, domains: list[str]) -> None:
        """The bureau's record of one website filing, with its domains."""
        row = self.sync(
            RegistryRecord,
            {
                "entity_filing_number": record["entity_filing_number"],
                "website_filing_number": record["website_filing_number"],
            },
            {
                "entity_name": record["entity_name"],
                "entity_type": record["entity_type"],
                "entity_id_type": record["entity_id_type"],
                "entity_id_hash": keyed_hash(record["entity_id_number"]),
                "province_id": record["province"],
                "website_name": record["website_name"],
                "access_providers": list(providers),
                "status": RegistryRecord.Status.ACTIVE,
            },
        )
        for name in domains:
            self.sync(RegistryDomain, {"record_id": row.pk, "name": name}, {})
        row.domains.exclude(name__in=domains).delete()

    def filing_elsewhere(self, filing: FilingElsewhere) -> None:
        entity = bureau_entity(filing.entity) if filing.entity else filing.unrelated_entity
        number = f"{entity['entity_filing_number']}-{filing.website_serial}"
        self.registry_record(
            {
                **entity,
                "website_filing_number": number,
                "website_name": filing.website_name,
            },
            filing.providers,
            [d.fqdn for d in filing.domains],
        )


def seed_demo(*, reset_passwords: bool = False, today: datetime.date | None = None) -> SeedResult:
    """Create or bring up to date the whole demo dataset, in one transaction."""
    started = time.monotonic()
    builder = DemoBuilder(today=today or timezone.localdate(), reset_passwords=reset_passwords)
    try:
        with transaction.atomic():
            builder.build()
    except BaseException:
        builder.discard_new_files()
        raise
    builder.result.seconds = time.monotonic() - started
    return builder.result
