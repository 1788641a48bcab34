"""What a customer types into each wizard step, as form posts, for the wizard tests."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filings.choices import ContentCategory, EntityType, IdType
from filings.models import Application
from filings.wizards.steps import WizardState
from tests.factories import PDF_BYTES, credit_code, image_bytes, resident_id

# Materials that must be photos; the others go up as PDFs.
_PHOTO_KINDS = {"head_id_front", "head_id_back", "verification_photo"}


def step_url(application: Application, slug: str) -> str:
    return reverse("application-wizard-step", args=[application.pk, slug])


def entity_basics(province: str = "110000", entity_type: str = EntityType.ENTERPRISE) -> dict:
    return {"entity_type": entity_type, "province": province}


def entity(n: int, **overrides) -> dict:
    return {
        "name": f"向导示例科技有限公司{n}",
        "id_type": IdType.USCC,
        "id_number": credit_code(n),
        "address": "北京市海淀区中关村大街1号",
        "legal_representative": f"李{n}",
        "office_phone": "010-88886666",
        "emergency_phone": "13900000000",
        "email": f"office{n}@example.com",
        **overrides,
    }


def head(n: int, **overrides) -> dict:
    return {
        "name": f"李{n}",
        "id_type": IdType.RESIDENT_ID,
        "id_number": resident_id(n),
        "mobile": f"138{n % 10**8:08d}",
        "landline": "",
        "email": f"head{n}@example.com",
        **overrides,
    }


def website(n: int, **overrides) -> dict:
    return {
        "name": f"向导示例网站{n}",
        "homepage_url": f"https://www.wizard{n}.example.cn/",
        "content_category": ContentCategory.CORPORATE,
        "service_type": "website",
        **overrides,
    }


def domains(*entries: dict) -> dict:
    data = {"domains-TOTAL_FORMS": str(len(entries)), "domains-INITIAL_FORMS": "0"}
    for index, entry in enumerate(entries):
        for key, value in entry.items():
            data[f"domains-{index}-{key}"] = value
    return data


def domain(name: str, registrant: str = "", registrant_id: str = "") -> dict:
    expires = datetime.date.today() + datetime.timedelta(days=400)
    return {
        "name": name,
        "registrar": "Demo Registrar",
        "registrant_name": registrant,
        "registrant_id_type": IdType.USCC if registrant_id else "",
        "registrant_id_number": registrant_id,
        "expires_on": expires.isoformat(),
    }


def upload_all_materials(client, application: Application) -> None:
    """Upload one valid file for every document the checklist asks for."""
    application.refresh_from_db()
    for item in WizardState(application).checklist:
        if item.material is not None:
            continue
        photo = item.kind in _PHOTO_KINDS
        data = {
            "kind": item.kind,
            "file": SimpleUploadedFile(
                f"{item.kind}.{'png' if photo else 'pdf'}",
                image_bytes() if photo else PDF_BYTES,
            ),
            "holder_name": item.head,
            "signed_on": datetime.date.today().isoformat(),
            "valid_until": (datetime.date.today() + datetime.timedelta(days=900)).isoformat(),
        }
        response = client.post(step_url(application, "materials"), data)
        assert response.status_code == 302, response.content.decode()[:2000]
