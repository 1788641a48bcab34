"""The interception pages shown instead of a blocked or unfiled site."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "zh", "en"),
    [
        (
            "/gate/blocked/",
            "该网站因 ICP 备案信息待整改，暂停访问",
            "This website is unavailable pending ICP filing rectification",
        ),
        ("/gate/unfiled/", "该网站未取得 ICP 备案", "This website has no ICP filing"),
    ],
)
def test_the_interception_page_says_why_in_both_languages_with_the_providers_contact(
    client, settings, path, zh, en
):
    # GIVEN the provider's name and contact
    settings.PROVIDER_NAME = "Demo Cloud"
    settings.PROVIDER_CONTACT = "icp-support@demo.example / 400-000-0000"
    # WHEN a visitor of an intercepted site gets the page
    response = client.get(path)
    # THEN it says why in Chinese and English, with whom to contact, and is not cached
    body = response.content.decode()
    assert response.status_code == 451
    assert zh in body and en in body
    assert body.count("icp-support@demo.example / 400-000-0000") == 2
    assert "Demo Cloud" in body
    assert "no-store" in response["Cache-Control"]
    # It stands alone: nginx serves the same page from disk, without the portal's files.
    assert "/static/" not in body and "<script" not in body


def test_the_interception_page_shows_no_customer_details(client):
    # GIVEN a blocked website of alice's
    from tests.factories import DomainFactory

    domain = DomainFactory(name="alice-shop.example.com")
    # WHEN its visitor gets the blocked page (even asking with the host)
    body = client.get("/gate/blocked/", HTTP_HOST="testserver").content.decode()
    # THEN nothing about the website or its owner is on it
    assert domain.name not in body
    assert domain.website.name not in body
    assert domain.website.entity.name not in body
