"""Reference data every installation needs: the 31 provinces and material requirements.

Loaded by a data migration (and again by ``seed_demo``, idempotently). Province rules
come from the provincial communications administrations' requirements as access
providers publish them in their filing guides; each row keeps that source and the
date it was checked, and staff correct rows in the admin when a bureau changes a rule.
"""

from __future__ import annotations

import datetime

GUIDE = "Provincial communications administration requirements, access provider filing guides"
CHECKED = datetime.date(2026, 11, 23)

# code, name, English name, filing-number prefix
PROVINCES: list[tuple[str, str, str, str]] = [
    ("110000", "北京", "Beijing", "京"),
    ("120000", "天津", "Tianjin", "津"),
    ("130000", "河北", "Hebei", "冀"),
    ("140000", "山西", "Shanxi", "晋"),
    ("150000", "内蒙古", "Inner Mongolia", "蒙"),
    ("210000", "辽宁", "Liaoning", "辽"),
    ("220000", "吉林", "Jilin", "吉"),
    ("230000", "黑龙江", "Heilongjiang", "黑"),
    ("310000", "上海", "Shanghai", "沪"),
    ("320000", "江苏", "Jiangsu", "苏"),
    ("330000", "浙江", "Zhejiang", "浙"),
    ("340000", "安徽", "Anhui", "皖"),
    ("350000", "福建", "Fujian", "闽"),
    ("360000", "江西", "Jiangxi", "赣"),
    ("370000", "山东", "Shandong", "鲁"),
    ("410000", "河南", "Henan", "豫"),
    ("420000", "湖北", "Hubei", "鄂"),
    ("430000", "湖南", "Hunan", "湘"),
    ("440000", "广东", "Guangdong", "粤"),
    ("450000", "广西", "Guangxi", "桂"),
    ("460000", "海南", "Hainan", "琼"),
    ("500000", "重庆", "Chongqing", "渝"),
    ("510000", "四川", "Sichuan", "蜀"),
    ("520000", "贵州", "Guizhou", "黔"),
    ("530000", "云南", "Yunnan", "滇"),
    ("540000", "西藏", "Tibet", "藏"),
    ("610000", "陕西", "Shaanxi", "陕"),
    ("620000", "甘肃", "Gansu", "陇"),
    ("630000", "青海", "Qinghai", "青"),
    ("640000", "宁夏", "Ningxia", "宁"),
    ("650000", "新疆", "Xinjiang", "新"),
]

# Where a province departs from the defaults of ProvinceRule.
PROVINCE_OVERRIDES: dict[str, dict] = {
    "310000": {  # Shanghai
        "domain_expiry_margin_days": 180,
        "verification_form_max_age_days": 90,
        "residence_permit_for_non_local": True,
    },
    "320000": {"landline_required": True, "head_must_be_legal_representative": False},
    "110000": {
        "office_phone_distinct_from_head_mobile": True,
        "head_must_be_legal_representative": False,
    },
    "210000": {
        "office_phone_distinct_from_head_mobile": True,
        "head_must_be_legal_representative": False,
    },
    "220000": {"office_phone_distinct_from_head_mobile": True},
    "140000": {"head_must_be_legal_representative": False},
    "460000": {"head_must_be_legal_representative": False},
    "440000": {"unique_across_entities": True, "residence_permit_for_non_local": True},
    "330000": {"bureau_review_working_days": 30},
}

# (material, application kinds, entity type or "" for all, province or None, condition)
_FILING_KINDS = ("first_filing", "new_website", "transfer")
MATERIAL_REQUIREMENTS: list[tuple[str, tuple[str, ...], str, str | None, str]] = [
    ("entity_certificate", ("first_filing", "change_entity"), "", None, "always"),
    ("head_id_front", (*_FILING_KINDS, "change_entity", "change_website"), "", None, "always"),
    ("head_id_back", (*_FILING_KINDS, "change_entity", "change_website"), "", None, "always"),
    ("verification_form", _FILING_KINDS, "", None, "always"),
    ("verification_photo", _FILING_KINDS, "", None, "always"),
    ("domain_certificate", (*_FILING_KINDS, "change_website"), "", None, "always"),
    ("power_of_attorney", _FILING_KINDS, "", None, "head_not_legal_rep"),
    ("commitment_letter", _FILING_KINDS, "", "440000", "always"),
    ("residence_permit", _FILING_KINDS, "individual", "310000", "non_local_individual"),
    ("residence_permit", _FILING_KINDS, "individual", "440000", "non_local_individual"),
    ("pre_approval", (*_FILING_KINDS, "change_website"), "", None, "regulated_content"),
    ("construction_plan", ("first_filing", "new_website"), "", None, "many_websites"),
]


def load_reference_data(apps=None) -> None:
    """Create or update the province rules and material requirements (idempotent)."""
    if apps is None:
        from filings.models import MaterialRequirement, ProvinceRule
    else:
        ProvinceRule = apps.get_model("filings", "ProvinceRule")
        MaterialRequirement = apps.get_model("filings", "MaterialRequirement")

    for code, name, name_en, prefix in PROVINCES:
        values = {
            "name": name,
            "name_en": name_en,
            "prefix": prefix,
            "source": GUIDE,
            "verified_on": CHECKED,
            **PROVINCE_OVERRIDES.get(code, {}),
        }
        ProvinceRule.objects.update_or_create(code=code, defaults=values)

    shanghai_form_age = PROVINCE_OVERRIDES["310000"]["verification_form_max_age_days"]
    for material, kinds, entity_type, province, condition in MATERIAL_REQUIREMENTS:
        for kind in kinds:
            MaterialRequirement.objects.get_or_create(
                material_kind=material,
                application_kind=kind,
                entity_type=entity_type,
                province_id=province,
                condition=condition,
                defaults={"source": GUIDE},
            )
    for kind in _FILING_KINDS:
        MaterialRequirement.objects.get_or_create(
            material_kind="verification_form",
            application_kind=kind,
            entity_type="",
            province_id="310000",
            condition="always",
            defaults={"source": GUIDE, "max_age_days": shanghai_form_age},
        )
