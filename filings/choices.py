"""The fixed vocabularies of ICP filing, as the MIIT system and providers use them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityType(models.TextChoices):
    GOVERNMENT = "government", _("Government body")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    ENTERPRISE = "enterprise", _("Enterprise")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise", _("Private non-enterprise unit")
    FOUNDATION = "foundation", _("Foundation")
    LAW_FIRM = "law_firm", _("Law firm")
    MEDICAL_INSTITUTION = "medical_institution", _("Medical institution")
    NOTARY_OFFICE = "notary_office", _("Notary office")
    MILITARY = "military", _("Military unit")
    FOREIGN_OFFICE = "foreign_office", _("Foreign or representative office")
    INDIVIDUAL = "individual", _("Individual")


class IdType(models.TextChoices):
    USCC = "uscc", _("Unified social credit code")
    ORG_CODE = "org_code", _("Organisation code certificate")
    PUBLIC_INSTITUTION_CERT = "public_institution_cert", _("Public institution certificate")
    SOCIAL_ORG_CERT = "social_org_cert", _("Social organisation certificate")
    MILITARY_CERT = "military_cert", _("Military unit certificate")
    FOREIGN_OFFICE_CERT = "foreign_office_cert", _("Foreign office registration certificate")
    RESIDENT_ID = "resident_id", _("Resident ID card")
    HK_MACAU_PERMIT = "hk_macau_permit", _("Mainland travel permit for Hong Kong/Macau residents")
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")
    PASSPORT = "passport", _("Passport")
    FOREIGN_PERMANENT_ID = "foreign_permanent_id", _("Foreign permanent resident ID card")


PERSONAL_ID_TYPES = (
    IdType.RESIDENT_ID,
    IdType.HK_MACAU_PERMIT,
    IdType.TAIWAN_PERMIT,
    IdType.PASSPORT,
    IdType.FOREIGN_PERMANENT_ID,
)

# Which ID documents an entity of each type may file with.
ENTITY_ID_TYPES: dict[str, tuple[str, ...]] = {
    EntityType.GOVERNMENT: (IdType.USCC, IdType.ORG_CODE),
    EntityType.PUBLIC_INSTITUTION: (IdType.USCC, IdType.PUBLIC_INSTITUTION_CERT),
    EntityType.ENTERPRISE: (IdType.USCC,),
    EntityType.SOCIAL_ORGANISATION: (IdType.USCC, IdType.SOCIAL_ORG_CERT),
    EntityType.PRIVATE_NON_ENTERPRISE: (IdType.USCC,),
    EntityType.FOUNDATION: (IdType.USCC,),
    EntityType.LAW_FIRM: (IdType.USCC,),
    EntityType.MEDICAL_INSTITUTION: (IdType.USCC,),
    EntityType.NOTARY_OFFICE: (IdType.USCC,),
    EntityType.MILITARY: (IdType.MILITARY_CERT,),
    EntityType.FOREIGN_OFFICE: (IdType.USCC, IdType.FOREIGN_OFFICE_CERT),
    EntityType.INDIVIDUAL: PERSONAL_ID_TYPES,
}


class ContentCategory(models.TextChoices):
    CORPORATE = "corporate", _("Organisation showcase")
    PERSONAL_BLOG = "personal_blog", _("Personal blog or showcase")
    FORUM = "forum", _("Forum or community")
    ECOMMERCE = "ecommerce", _("E-commerce")
    EDUCATION = "education", _("Education")
    GOVERNMENT_AFFAIRS = "government_affairs", _("Government affairs")
    NEWS = "news", _("News")
    PUBLISHING = "publishing", _("Publishing")
    PHARMA_MEDICAL = "pharma_medical", _("Pharmaceuticals and medical devices")
    CULTURE = "culture", _("Culture")
    RADIO_FILM_TV = "radio_film_tv", _("Radio, film and television")
    RIDE_HAILING = "ride_hailing", _("Online ride-hailing")
    GAMES = "games", _("Online games")
    FINANCE = "finance", _("Finance")


# Content that needs a pre-approval (前置审批) before filing.
REGULATED_CATEGORIES = frozenset(
    {
        ContentCategory.NEWS,
        ContentCategory.PUBLISHING,
        ContentCategory.PHARMA_MEDICAL,
        ContentCategory.CULTURE,
        ContentCategory.RADIO_FILM_TV,
        ContentCategory.RIDE_HAILING,
        ContentCategory.GAMES,
        ContentCategory.FINANCE,
    }
)

# What a personal filing may host; anything else is an organisation's site.
PERSONAL_CATEGORIES = frozenset({ContentCategory.PERSONAL_BLOG})


class ServiceType(models.TextChoices):
    WEBSITE = "website", _("Website")
    APP = "app", _("App")
    MINI_PROGRAM = "mini_program", _("Mini program")


class ApplicationKind(models.TextChoices):
    FIRST_FILING = "first_filing", _("First-time filing")
    NEW_WEBSITE = "new_website", _("New website")
    TRANSFER = "transfer", _("New access (transfer)")
    CHANGE_ENTITY = "change_entity", _("Change entity information")
    CHANGE_WEBSITE = "change_website", _("Change website information")
    CHANGE_ACCESS = "change_access", _("Change access information")
    CANCEL_ACCESS = "cancel_access", _("Cancel access")
    DEREGISTER_WEBSITE = "deregister_website", _("Deregister website")
    DEREGISTER_ENTITY = "deregister_entity", _("Deregister entity")


class HeadRole(models.TextChoices):
    ENTITY_HEAD = "entity_head", _("Entity head")
    WEBSITE_HEAD = "website_head", _("Website head")


# Who must pass the MIIT SMS verification, per application kind (DOMAIN.md).
SMS_VERIFICATION_HEADS: dict[str, tuple[str, ...]] = {
    ApplicationKind.FIRST_FILING: (HeadRole.ENTITY_HEAD, HeadRole.WEBSITE_HEAD),
    ApplicationKind.NEW_WEBSITE: (HeadRole.ENTITY_HEAD, HeadRole.WEBSITE_HEAD),
    ApplicationKind.TRANSFER: (HeadRole.WEBSITE_HEAD,),
    ApplicationKind.CHANGE_ENTITY: (HeadRole.ENTITY_HEAD,),
    ApplicationKind.CHANGE_WEBSITE: (HeadRole.WEBSITE_HEAD,),
    ApplicationKind.CHANGE_ACCESS: (HeadRole.WEBSITE_HEAD,),
    ApplicationKind.CANCEL_ACCESS: (),
    ApplicationKind.DEREGISTER_WEBSITE: (HeadRole.WEBSITE_HEAD,),
    ApplicationKind.DEREGISTER_ENTITY: (HeadRole.ENTITY_HEAD,),
}


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROVIDER_REVIEW = "provider_review", _("Provider review")
    RETURNED = "returned", _("Returned for changes")
    SMS_VERIFICATION = "sms_verification", _("SMS verification")
    BUREAU_REVIEW = "bureau_review", _("Bureau review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


OPEN_APPLICATION_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.PROVIDER_REVIEW,
    ApplicationStatus.RETURNED,
    ApplicationStatus.SMS_VERIFICATION,
    ApplicationStatus.BUREAU_REVIEW,
)


class MaterialKind(models.TextChoices):
    ENTITY_CERTIFICATE = "entity_certificate", _("Entity certificate")
    HEAD_ID_FRONT = "head_id_front", _("Head's ID document (front)")
    HEAD_ID_BACK = "head_id_back", _("Head's ID document (back)")
    VERIFICATION_FORM = "verification_form", _("Website verification form")
    VERIFICATION_PHOTO = "verification_photo", _("In-person verification photo")
    DOMAIN_CERTIFICATE = "domain_certificate", _("Domain certificate")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")
    COMMITMENT_LETTER = "commitment_letter", _("Commitment letter")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    PRE_APPROVAL = "pre_approval", _("Pre-approval document")
    CONSTRUCTION_PLAN = "construction_plan", _("Website construction plan")


# Materials that carry an ID document: every download of one is audited.
ID_MATERIAL_KINDS = frozenset(
    {MaterialKind.HEAD_ID_FRONT, MaterialKind.HEAD_ID_BACK, MaterialKind.RESIDENCE_PERMIT}
)
