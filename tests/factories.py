"""factory-boy factories for every model, producing valid, consistent filings."""

from __future__ import annotations

import datetime
import hashlib

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum.cn import ric, uscc

from filings.choices import ApplicationKind, ContentCategory, EntityType, IdType, MaterialKind
from filings.models import (
    Application,
    Domain,
    Entity,
    Material,
    Person,
    ProviderNetwork,
    RegistryDomain,
    RegistryRecord,
    Website,
)
from filings.validators import org_code_check_character
from icpportal.crypto import keyed_hash
from icpportal.models import HolidayOverride, Membership, StaffProfile, Tenant

PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"


def resident_id(n: int, region: str = "110105", born: str = "19800101") -> str:
    """A valid 18-character resident ID, distinct for each ``n``."""
    body = f"{region}{born}{n % 1000:03d}"
    # stdnum's calc_check_digit expects a placeholder check character.
    return body + ric.calc_check_digit(body + "0")


def credit_code(n: int) -> str:
    """A valid unified social credit code (enterprise, Beijing), distinct for each ``n``.

    Its inner organisation code (characters 9-17) carries a valid check character too,
    as real codes do.
    """
    org_body = f"{n % 10**8:08d}"
    body = f"91110108{org_body}{org_code_check_character(org_body)}"
    return body + uscc.calc_check_digit(body)


def mobile(n: int) -> str:
    return f"+86138{n % 10**8:08d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.Sequence(lambda n: f"customer-{n}")
    contact_email = factory.LazyAttribute(lambda t: f"ops@{t.slug}.example.com")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    tenant = factory.SubFactory(TenantFactory)
    role = Membership.Role.OWNER


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory, is_staff=True)
    role = StaffProfile.Role.REVIEWER


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"张{n}")
    id_type = IdType.RESIDENT_ID
    id_number = factory.Sequence(resident_id)
    mobile = factory.Sequence(mobile)
    landline = "+861062345678"
    email = factory.Sequence(lambda n: f"head{n}@example.com")


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    tenant = factory.SubFactory(TenantFactory)
    entity_type = EntityType.ENTERPRISE
    name = factory.Sequence(lambda n: f"示例科技有限公司{n}")
    id_type = IdType.USCC
    id_number = factory.Sequence(credit_code)
    province_id = "110000"
    address = "北京市海淀区中关村大街1号"
    legal_representative = factory.SelfAttribute("head.name")
    head = factory.SubFactory(PersonFactory, tenant=factory.SelfAttribute("..tenant"))
    office_phone = "+861088886666"
    emergency_phone = "+8613900000000"
    email = factory.Sequence(lambda n: f"office{n}@example.com")
    filing_number = factory.Sequence(lambda n: f"京ICP备2026{n % 10**6:06d}号")


class WebsiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Website

    tenant = factory.SelfAttribute("entity.tenant")
    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"示例网站{n}")
    homepage_url = factory.Sequence(lambda n: f"https://www.site{n}.example.com/")
    content_category = ContentCategory.CORPORATE
    head = factory.SelfAttribute("entity.head")
    filing_number = factory.LazyAttributeSequence(lambda w, n: f"{w.entity.filing_number}-{n + 1}")


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain

    website = factory.SubFactory(WebsiteFactory)
    tenant = factory.SelfAttribute("website.tenant")
    name = factory.Sequence(lambda n: f"site{n}.example.com")
    registrar = "Demo Registrar"
    registrant_name = factory.SelfAttribute("website.entity.name")
    registrant_id_type = factory.SelfAttribute("website.entity.id_type")
    registrant_id_number = factory.SelfAttribute("website.entity.id_number")
    expires_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=400))
    real_name_status = Domain.RealNameStatus.VERIFIED


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    tenant = factory.SubFactory(TenantFactory)
    kind = ApplicationKind.FIRST_FILING
    payload = factory.LazyFunction(dict)


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    tenant = factory.SelfAttribute("entity.tenant")
    entity = factory.SubFactory(EntityFactory)
    kind = MaterialKind.ENTITY_CERTIFICATE
    file = factory.django.FileField(filename="licence.pdf", data=PDF_BYTES)
    original_name = "licence.pdf"
    sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    size = len(PDF_BYTES)
    content_type = "application/pdf"
    holder_name = factory.SelfAttribute("entity.name")
    document_number = factory.SelfAttribute("entity.id_number")


class ProviderNetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderNetwork
        django_get_or_create = ("cidr",)

    cidr = "192.0.2.0/24"
    kind = ProviderNetwork.Kind.SERVERS


class RegistryRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistryRecord

    entity_filing_number = factory.Sequence(lambda n: f"沪ICP备2025{n % 10**6:06d}号")
    website_filing_number = factory.LazyAttribute(lambda r: f"{r.entity_filing_number}-1")
    entity_name = factory.Sequence(lambda n: f"外部公司{n}")
    entity_type = EntityType.ENTERPRISE
    entity_id_type = IdType.USCC
    entity_id_hash = factory.Sequence(lambda n: keyed_hash(credit_code(50000 + n)))
    province_id = "310000"
    website_name = factory.Sequence(lambda n: f"外部网站{n}")
    access_providers = factory.LazyFunction(lambda: ["other-cloud"])


class RegistryDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistryDomain

    record = factory.SubFactory(RegistryRecordFactory)
    name = factory.Sequence(lambda n: f"external{n}.example.net")


class HolidayOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HolidayOverride
        django_get_or_create = ("date",)

    date = datetime.date(2027, 1, 4)
    is_working_day = False
    note = "Staff override"


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Notification"

    tenant = factory.SubFactory(TenantFactory)
    channel = "in_app"
    recipient_user = factory.SubFactory(UserFactory)
    template_key = "generic"
    context = factory.LazyFunction(lambda: {"subject": "Hello", "text": "World"})
    status = "sent"
    subject = "Hello"
    body = "World"


class PhoneVerificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.PhoneVerification"

    person = factory.SubFactory(PersonFactory)
    tenant = factory.SelfAttribute("person.tenant")
    phone = factory.SelfAttribute("person.mobile")
    code_salt = "00" * 16
    code_hmac = "0" * 64
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(minutes=10))


def _invitation_token_hash(token: str) -> str:
    from icpportal.models.invitation import invitation_token_hash

    return invitation_token_hash(token)


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation; the plain link token is kept on ``invitation.token`` for tests."""

    class Meta:
        model = "icpportal.Invitation"

    tenant = factory.SubFactory(TenantFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = "member"
    token = factory.Sequence(lambda n: f"test-invitation-token-{n:06d}")
    token_hash = factory.LazyAttribute(lambda o: _invitation_token_hash(o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        token = kwargs.pop("token")
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.token = token
        return invitation


# ---- the application life cycle (filings.applications) ----------------------------------


def person_payload(n: int, **overrides) -> dict:
    """A head typed into an application, valid and distinct for each ``n``."""
    return {
        "name": f"李{n}",
        "id_type": IdType.RESIDENT_ID,
        "id_number": resident_id(n),
        "mobile": mobile(n),
        "landline": "",
        "email": f"apply-head{n}@example.com",
        **overrides,
    }


def entity_payload(n: int, province: str = "110000", **overrides) -> dict:
    """An entity section of an application, valid and distinct for each ``n``."""
    return {
        "entity_type": EntityType.ENTERPRISE,
        "name": f"申请示例科技有限公司{n}",
        "id_type": IdType.USCC,
        "id_number": credit_code(n),
        "province": province,
        "address": "北京市海淀区中关村大街1号",
        "legal_representative": f"李{n}",
        "office_phone": "+861088886666",
        "emergency_phone": "+8613900000000",
        "email": f"apply-office{n}@example.com",
        **overrides,
    }


def website_payload(n: int, **overrides) -> dict:
    return {
        "name": f"申请示例网站{n}",
        "homepage_url": f"https://www.apply{n}.example.cn/",
        "content_category": ContentCategory.CORPORATE,
        "pre_approvals": [],
        "service_type": "website",
        **overrides,
    }


def domain_payload(name: str, **overrides) -> dict:
    return {
        "name": name,
        "registrar": "Demo Registrar",
        "registrant_name": "",
        "registrant_id_type": "",
        "registrant_id_number": "",
        "expires_on": (datetime.date.today() + datetime.timedelta(days=400)).isoformat(),
        **overrides,
    }


def first_filing_payload(n: int, province: str = "110000") -> dict:
    """A complete first filing: entity, one head for both roles, website, one domain."""
    entity = entity_payload(n, province)
    return {
        "entity": entity,
        "entity_head": person_payload(n),
        "website": website_payload(n),
        "website_head": person_payload(n),
        "domains": [
            domain_payload(
                f"apply{n}.example.cn",
                registrant_name=entity["name"],
                registrant_id_type=entity["id_type"],
                registrant_id_number=entity["id_number"],
            )
        ],
    }


class MiitVerificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "filings.MiitVerification"

    application = factory.SubFactory(
        ApplicationFactory, kind=ApplicationKind.CHANGE_WEBSITE, status="sms_verification"
    )
    tenant = factory.SelfAttribute("application.tenant")
    role = "website_head"
    head_name = "李四"
    phone = factory.Sequence(mobile)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=24))


class BureauSubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "filings.BureauSubmission"

    application = factory.SubFactory(ApplicationFactory, status="bureau_review")
    reference = factory.LazyAttribute(lambda s: f"SIM-{s.application.pk}")
    due_at = factory.LazyFunction(timezone.now)


class FilingNumberCounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "filings.FilingNumberCounter"
        django_get_or_create = ("scope",)

    scope = "京2026"
    last_serial = 0


# ---- materials (filings.materials) -------------------------------------------------------


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (16, 12)) -> bytes:
    """A small, valid image made with Pillow ("PNG" or "JPEG")."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=image_format)
    return buffer.getvalue()


class PersonMaterialFactory(MaterialFactory):
    """A head's ID copy (front), a PNG, kept with the person."""

    tenant = factory.SelfAttribute("person.tenant")
    entity = None
    person = factory.SubFactory(PersonFactory)
    kind = MaterialKind.HEAD_ID_FRONT
    file = factory.django.FileField(filename="id-front.png", data=image_bytes())
    original_name = "id-front.png"
    sha256 = hashlib.sha256(image_bytes()).hexdigest()
    size = len(image_bytes())
    content_type = "image/png"
    holder_name = factory.SelfAttribute("person.name")
    document_number = factory.SelfAttribute("person.id_number")


class WebsiteMaterialFactory(MaterialFactory):
    """A signed website verification form (PDF), kept with the website."""

    tenant = factory.SelfAttribute("website.tenant")
    entity = None
    website = factory.SubFactory(WebsiteFactory)
    kind = MaterialKind.VERIFICATION_FORM
    original_name = "verification-form.pdf"
    holder_name = ""
    document_number = ""
    signed_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=10))


class ApplicationMaterialFactory(MaterialFactory):
    """A document uploaded to a draft application (a PDF entity certificate)."""

    tenant = factory.SelfAttribute("application.tenant")
    entity = None
    application = factory.SubFactory(ApplicationFactory)
    holder_name = "申请示例科技有限公司"
    document_number = ""


# ---- inspection campaigns (inspections.models) -------------------------------------------


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign over every filed website, all rules, not started."""

    class Meta:
        model = "inspections.Campaign"

    name = factory.Sequence(lambda n: f"Special inspection {n}")
    scope = "all"
    chunk_size = 500


class WebsiteInspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inspections.WebsiteInspection"

    campaign = factory.SubFactory(CampaignFactory)
    website = factory.SubFactory(WebsiteFactory)


class RuleResultFactory(factory.django.DjangoModelFactory):
    """A blocking failure of the domain-expiry rule."""

    class Meta:
        model = "inspections.RuleResult"

    campaign = factory.SubFactory(CampaignFactory)
    website = factory.SubFactory(WebsiteFactory)
    tenant = factory.SelfAttribute("website.tenant")
    rule_code = "domain_expiry"
    rule_version = 1
    status = "fail"
    severity = "blocking"
    message = "The domain example.com expired on 2026-03-01."
    evidence = factory.LazyFunction(lambda: {"problems": [{"code": "expired"}]})
    fields = factory.LazyFunction(lambda: ["domains.0.expires_on"])
    input_hash = "0" * 64


class RectificationCaseFactory(factory.django.DjangoModelFactory):
    """An open case of a website, 10 working days, deadline 10 days from now."""

    class Meta:
        model = "inspections.RectificationCase"

    website = factory.SubFactory(WebsiteFactory)
    tenant = factory.SelfAttribute("website.tenant")
    entity = factory.SelfAttribute("website.entity")
    state = "notified"
    opened_at = factory.LazyFunction(timezone.now)
    deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))
    period_kind = "working"
    period_days = 10


class CaseFindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inspections.CaseFinding"

    case = factory.SubFactory(RectificationCaseFactory)
    tenant = factory.SelfAttribute("case.tenant")
    rule_code = "domain_expiry"
    rule_version = 1
    message = "The domain example.com expired on 2026-03-01."
    evidence = factory.LazyFunction(lambda: {"problems": [{"code": "expired"}]})
    first_seen_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)


class CaseMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inspections.CaseMessage"

    case = factory.SubFactory(RectificationCaseFactory)
    tenant = factory.SelfAttribute("case.tenant")
    body = "We renewed the domain yesterday."


class AccessDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inspections.AccessDecision"

    host = factory.Sequence(lambda n: f"host{n}.example.com")
    state = "allowed"


class BulkJobFactory(factory.django.DjangoModelFactory):
    """A reviewer's queued reminder over no case yet."""

    class Meta:
        model = "icpportal.BulkJob"

    kind = "remind"
    requested_by = factory.LazyFunction(
        lambda: StaffProfileFactory(user=UserFactory(), role="reviewer").user
    )
    idempotency_key = factory.Sequence(lambda n: f"{n:064d}")
