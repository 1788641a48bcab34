"""The Django admin: compliance staff only, permissions by staff role, personal data
masked, search by full ID number through the keyed hash, every change audited, and the
audit trail itself unchangeable."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django_otp.oath import TOTP

from filings.models import Domain, Entity, Person, ProvinceRule
from filings.validators import validate_id_document
from icpportal import audit
from icpportal.accounts.two_factor.enforcement import verify_url
from icpportal.crypto import keyed_hash
from icpportal.masking import mask_id_number, mask_phone
from icpportal.models import AuditEvent, StaffProfile
from tests import factories
from tests.api import new_token
from tests.clients import give_authenticator, staff_client
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

OUR_APPS = ("icpportal", "filings")


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def add_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def delete_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }


@pytest.fixture
def root_client(client):
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    return staff_client(root, client)


@pytest.fixture
def filing(alice_tenant, private_storage):
    """One of alice's filings with a row of every kind the admin lists."""
    domain = factories.DomainFactory(website__entity__tenant=alice_tenant)
    website = domain.website
    factories.MaterialFactory(entity=website.entity)
    factories.ApplicationFactory(
        tenant=alice_tenant,
        entity=website.entity,
        payload={"head": {"name": "张三", "id_number": website.head.id_number}},
    )
    factories.RegistryDomainFactory()
    factories.ProviderNetworkFactory()
    factories.HolidayOverrideFactory()
    factories.InvitationFactory(tenant=alice_tenant)
    factories.MiitVerificationFactory(application__tenant=alice_tenant)
    factories.BureauSubmissionFactory(application__tenant=alice_tenant)
    factories.FilingNumberCounterFactory()
    case = factories.RectificationCaseFactory(website=website)
    factories.CaseFindingFactory(case=case)
    factories.CaseMessageFactory(case=case)
    factories.AccessDecisionFactory(host=domain.name, website=website, tenant=alice_tenant)
    job = factories.BulkJobFactory(case_ids=[case.pk])
    job.items.create(case_id=case.pk, outcome="applied")
    new_token(factories.MembershipFactory(tenant=alice_tenant).user, alice_tenant)
    audit.record("test.seed", website.entity, before={}, after={"name": website.entity.name})
    return website


def entity_form_data(entity: Entity, **changes) -> dict:
    """The Entity change form as the browser would post it, with ``changes`` applied."""
    data = {
        "tenant": entity.tenant_id,
        "entity_type": entity.entity_type,
        "name": entity.name,
        "province": entity.province_id,
        "address": entity.address,
        "id_type": entity.id_type,
        "new_id_number": "",
        "legal_representative": entity.legal_representative,
        "head": entity.head_id,
        "office_phone": entity.office_phone,
        "emergency_phone": entity.emergency_phone,
        "email": entity.email,
        "filing_number": entity.filing_number,
        "state": entity.state,
        "_save": "Save",
    }
    data.update(changes)
    return data


def person_form_data(person: Person, **changes) -> dict:
    data = {
        "tenant": person.tenant_id,
        "name": person.name,
        "id_type": person.id_type,
        "new_id_number": "",
        "mobile": person.mobile,
        "landline": person.landline,
        "email": person.email,
        "_save": "Save",
    }
    data.update(changes)
    return data


class _FormFields(HTMLParser):
    """The values a browser would submit from the admin's change form."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            # Browsers drop the newline that follows the opening tag.
            self.data[self._textarea][0] = self.data[self._textarea][0].removeprefix("\n")
            self._textarea = None


def submitted_form(client, url: str, **changes) -> dict:
    """GET an admin change page and return what saving it unchanged would post."""
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    data = {key: values for key, values in parser.data.items() if values}
    data.update({key: [value] for key, value in changes.items()})
    data["_save"] = ["Save"]
    return data


# --- Who may enter --------------------------------------------------------------------------


def test_every_model_of_the_portal_has_an_admin():
    registered = set(admin.site._registry)
    for app_label in OUR_APPS:
        for model in apps.get_app_config(app_label).get_models():
            assert model in registered, f"{model._meta.label} has no admin"


@pytest.mark.parametrize("actor", ["rachel", "leo", "root"])
def test_staff_open_the_index_and_every_changelist_add_and_change_page(
    request, client, rf, alice, rachel, filing, actor
):
    # GIVEN rows of every kind, and a reviewer, a lead or a superuser
    user = (
        request.getfixturevalue(actor)
        if actor != "root"
        else factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    )
    staff_client(user, client)
    probe = rf.get("/admin/")
    probe.user = user

    # WHEN they open the admin index
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200

    # THEN every changelist, add and change page answers as their role allows
    without_rows = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        ours = model._meta.app_label in OUR_APPS
        may_view = model_admin.has_view_permission(probe)
        assert may_view or not ours, f"{actor} cannot view {label}"
        assert (changelist_url(model) in index.content.decode()) == may_view, label
        assert client.get(changelist_url(model)).status_code == (403, 200)[may_view], label
        if ours:
            may_add = model_admin.has_add_permission(probe)
            assert client.get(add_url(model)).status_code == (403, 200)[may_add], label
            obj = model._default_manager.first()
            if obj is None:
                without_rows.append(label)
            else:
                assert client.get(change_url(obj)).status_code == 200, label
    assert without_rows == []


@pytest.mark.parametrize("is_staff", [False, True], ids=["customer", "customer-with-is_staff"])
def test_a_customer_gets_no_admin(client, alice, is_staff):
    # GIVEN alice, a customer, whose is_staff flag may have been set by mistake
    alice.is_staff = is_staff
    alice.save()
    client.force_login(alice)

    # WHEN she opens the admin index and a changelist
    for url in (reverse("admin:index"), changelist_url(Entity)):
        response = client.get(url)
        # THEN she is sent to the admin login
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_a_customer_cannot_log_in_to_the_admin(client, alice):
    alice.is_staff = True
    alice.save()
    response = client.post(
        reverse("admin:login"), {"username": "alice", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_staff_logs_in_to_the_admin_by_staff_profile_alone(client):
    # GIVEN a reviewer whose is_staff flag was never set, with an authenticator app
    user = factories.UserFactory(username="ruth", is_staff=False)
    factories.StaffProfileFactory(user=user, role="reviewer")
    device = give_authenticator(user)
    response = client.post(
        reverse("admin:login"), {"username": "ruth", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    # THEN the admin asks for the second factor first, and opens once it is given
    to_verify = client.get(reverse("admin:index"))
    assert to_verify.status_code == 302
    assert to_verify.url == verify_url(reverse("admin:index"))
    code = TOTP(device.bin_key).token()
    response = client.post(to_verify.url, {"code": f"{code:06d}", "next": "/admin/"})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_inactive_staff_profile_gets_no_admin(client, rachel):
    StaffProfile.objects.filter(user=rachel).update(is_active=False)
    staff_client(rachel, client)
    assert client.get(reverse("admin:index")).status_code == 302


# --- Permissions by role ----------------------------------------------------------------------


def test_reviewer_edits_filing_data_but_not_staff_roles_or_province_rules(rachel_client, rachel):
    entity = factories.EntityFactory()
    profile = rachel.staff_profile
    # A reviewer may change an entity…
    response = rachel_client.post(change_url(entity), entity_form_data(entity, name="新名称"))
    assert response.status_code == 302
    # …but not make herself an administrator, nor delete filing data.
    response = rachel_client.post(
        change_url(profile), {"user": rachel.pk, "role": "admin", "is_active": "on"}
    )
    assert response.status_code == 403
    assert rachel_client.post(delete_url(entity), {"post": "yes"}).status_code == 403
    beijing = ProvinceRule.objects.get(code="110000")
    response = rachel_client.post(change_url(beijing), {"bureau_review_working_days": "1"})
    assert response.status_code == 403
    profile.refresh_from_db()
    assert profile.role == "reviewer"
    assert Entity.objects.filter(pk=entity.pk).exists()
    beijing.refresh_from_db()
    assert beijing.bureau_review_working_days != 1


def test_only_the_admin_role_deletes_and_the_deletion_is_audited(client):
    person = factories.PersonFactory()
    admin_user = factories.StaffProfileFactory(role="admin").user
    staff_client(admin_user, client)

    response = client.post(delete_url(person), {"post": "yes"})

    assert response.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
    event = AuditEvent.objects.get(action="admin.delete", object_id=str(person.pk))
    assert event.before["id_number"] == mask_id_number(person.id_number)
    assert event.before["mobile"] == mask_phone(person.mobile)


def test_an_entity_cannot_be_linked_to_another_customers_person(rachel_client, bob_tenant):
    entity = factories.EntityFactory()
    bobs_person = factories.PersonFactory(tenant=bob_tenant)

    response = rachel_client.post(change_url(entity), entity_form_data(entity, head=bobs_person.pk))

    assert response.status_code == 200
    assert "head" in response.context["adminform"].form.errors
    entity.refresh_from_db()
    assert entity.head_id != bobs_person.pk


# --- Query counts -----------------------------------------------------------------------------


def _make_rows(model, n: int, tenant) -> None:
    for _ in range(n):
        if model is Entity:
            factories.EntityFactory(tenant=tenant)
        elif model is Person:
            factories.PersonFactory(tenant=tenant)
        elif model is AuditEvent:
            person = factories.PersonFactory(tenant=tenant)
            audit.record("test.row", person, after={"mobile": person.mobile})
        else:
            factories.DomainFactory(website__entity__tenant=tenant)


@pytest.mark.parametrize(
    "model_name", ["filings.Entity", "filings.Website", "filings.Person", "icpportal.AuditEvent"]
)
def test_changelist_queries_do_not_grow_with_rows(
    rachel_client, alice_tenant, model_name, django_assert_max_num_queries
):
    model = apps.get_model(model_name)
    url = changelist_url(model)

    # GIVEN two rows
    _make_rows(model, 2, alice_tenant)
    with CaptureQueriesContext(connection) as with_two:
        assert rachel_client.get(url).status_code == 200

    # WHEN there are twenty
    _make_rows(model, 18, alice_tenant)
    # 16: one of them reads the authenticator that verified the staff login.
    with django_assert_max_num_queries(16):
        response = rachel_client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 20

    # THEN the page costs the same number of queries
    with CaptureQueriesContext(connection) as with_twenty:
        rachel_client.get(url)
    assert len(with_twenty) == len(with_two)


# --- Masking and search ----------------------------------------------------------------------


def test_person_pages_show_masked_id_and_mobile_never_clear(rachel_client):
    person = factories.PersonFactory()

    listing = rachel_client.get(changelist_url(Person)).content.decode()
    assert person.id_number not in listing
    assert person.mobile not in listing
    assert person.mobile.removeprefix("+86") not in listing
    assert mask_id_number(person.id_number) in listing
    assert mask_phone(person.mobile) in listing

    # The change form keeps the phone editable (staff call heads) but never the ID number.
    form_page = rachel_client.get(change_url(person)).content.decode()
    assert person.id_number not in form_page
    assert mask_id_number(person.id_number) in form_page
    assert 'name="new_id_number"' in form_page


def test_entity_pages_show_masked_ids_never_clear(rachel_client):
    entity = factories.EntityFactory()
    head = entity.head

    for url in (changelist_url(Entity), change_url(entity)):
        page = rachel_client.get(url).content.decode()
        assert entity.id_number not in page, url
        assert head.id_number not in page, url
        assert head.mobile not in page, url
        assert mask_id_number(entity.id_number) in page, url


def test_application_payload_is_shown_masked(rachel_client, alice_tenant):
    person = factories.PersonFactory(tenant=alice_tenant)
    application = factories.ApplicationFactory(
        tenant=alice_tenant,
        payload={"head": {"id_number": person.id_number, "mobile": person.mobile}},
    )
    page = rachel_client.get(change_url(application)).content.decode()
    assert person.id_number not in page
    assert mask_id_number(person.id_number) in page


def test_domain_list_masks_the_registrant_id_and_finds_it_by_full_number(rachel_client):
    domain = factories.DomainFactory()
    other = factories.DomainFactory()
    url = changelist_url(Domain)

    page = rachel_client.get(url).content.decode()
    assert domain.registrant_id_number not in page
    assert mask_id_number(domain.registrant_id_number) in page

    response = rachel_client.get(url, {"q": domain.registrant_id_number})
    assert list(response.context["cl"].result_list) == [domain]
    assert other.registrant_id_number != domain.registrant_id_number


def test_a_material_page_never_links_to_the_stored_file(rachel_client, private_storage):
    material = factories.MaterialFactory()

    page = rachel_client.get(change_url(material)).content.decode()

    assert material.file.name not in page
    assert material.original_name in page
    assert material.sha256 in page
    assert material.entity.id_number not in page  # the document number is masked


def test_searching_persons_by_full_id_number_finds_exactly_that_person(rachel_client):
    persons = [factories.PersonFactory() for _ in range(3)]
    wanted = persons[1]

    # Typed in lower case, as staff copy it: the hash normalises it.
    response = rachel_client.get(changelist_url(Person), {"q": wanted.id_number.lower()})

    assert list(response.context["cl"].result_list) == [wanted]


def test_a_partial_id_number_finds_nothing(rachel_client):
    person = factories.PersonFactory()
    response = rachel_client.get(changelist_url(Person), {"q": person.id_number[:10]})
    assert list(response.context["cl"].result_list) == []


# --- Audit -----------------------------------------------------------------------------------


def test_editing_an_entity_writes_a_masked_audit_event(rachel_client, rachel):
    entity = factories.EntityFactory(emergency_phone="+8613900000000")
    old_name = entity.name

    response = rachel_client.post(
        change_url(entity),
        entity_form_data(entity, name="新名称科技有限公司", emergency_phone="+8613711112222"),
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.change", object_id=str(entity.pk))
    assert event.actor == rachel
    assert event.tenant_id == entity.tenant_id
    assert event.before == {"name": old_name, "emergency_phone": "139****0000"}
    assert event.after == {"name": "新名称科技有限公司", "emergency_phone": "137****2222"}


def test_saving_a_website_audits_the_website_and_not_its_read_only_domains(rachel_client):
    domain = factories.DomainFactory()
    website = domain.website
    url = change_url(website)

    response = rachel_client.post(url, submitted_form(rachel_client, url, name="新网站名称"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    events = list(AuditEvent.objects.all())
    assert [(e.action, e.object_type) for e in events] == [("admin.change", "filings.website")]
    assert events[0].after == {"name": "新网站名称"}
    domain.refresh_from_db()
    assert domain.registrant_id_number == website.entity.id_number


@pytest.mark.parametrize("actor", ["rachel_client", "root_client"])
def test_audit_events_cannot_be_added_changed_or_deleted(request, actor):
    client = request.getfixturevalue(actor)
    event = audit.record("test.seed", factories.PersonFactory(), after={"name": "张三"})
    opts_url = changelist_url(AuditEvent)

    assert client.get(change_url(event)).status_code == 200  # readable
    assert client.post(add_url(AuditEvent), {"action": "forged"}).status_code == 403
    assert client.post(change_url(event), {"action": "forged"}).status_code == 403
    assert client.post(delete_url(event), {"post": "yes"}).status_code == 403
    client.post(
        opts_url, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )

    assert AuditEvent.objects.filter(pk=event.pk, action="test.seed").exists()
    assert AuditEvent.objects.count() == 1


# --- Replacing an ID number ------------------------------------------------------------------


def test_a_new_id_number_replaces_the_stored_one_encrypted(rachel_client):
    person = factories.PersonFactory()
    old_number = person.id_number
    new_number = factories.resident_id(777, region="310101", born="19900315")

    response = rachel_client.post(
        change_url(person), person_form_data(person, new_id_number=new_number.lower())
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.id_number == new_number
    assert person.id_number_hash == keyed_hash(new_number)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM filings_person WHERE id = %s", [person.pk])
        (stored,) = cursor.fetchone()
    assert new_number not in stored  # encrypted at rest
    event = AuditEvent.objects.get(action="admin.change", object_id=str(person.pk))
    assert event.before == {"id_number": mask_id_number(old_number)}
    assert event.after == {"id_number": mask_id_number(new_number)}


def test_adding_a_person_requires_a_valid_id_number_and_is_audited(rachel_client, alice_tenant):
    number = factories.resident_id(42, region="440305", born="19880808")
    data = {
        "tenant": alice_tenant.pk,
        "name": "李四",
        "id_type": "resident_id",
        "mobile": "+8613912345678",
        "landline": "",
        "email": "",
        "_save": "Save",
    }

    # WHEN the number is left out, nothing is saved
    response = rachel_client.post(add_url(Person), {**data, "new_id_number": ""})
    assert response.status_code == 200
    assert "new_id_number" in response.context["adminform"].form.errors

    # WHEN it is given, the person is saved with its hash and the audit row is masked
    response = rachel_client.post(add_url(Person), {**data, "new_id_number": number})
    assert response.status_code == 302
    person = Person.objects.get(id_number_hash=keyed_hash(number))
    event = AuditEvent.objects.get(action="admin.add", object_id=str(person.pk))
    assert event.after["id_number"] == mask_id_number(number)
    assert event.after["mobile"] == "139****5678"
    assert number not in str(event.after)


def test_changing_the_document_type_requires_the_number_again(rachel_client):
    person = factories.PersonFactory()

    response = rachel_client.post(change_url(person), person_form_data(person, id_type="passport"))

    assert response.status_code == 200
    assert "new_id_number" in response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.id_type == "resident_id"


def test_an_invalid_new_id_number_shows_the_validators_error_and_saves_nothing(rachel_client):
    person = factories.PersonFactory()
    old_number = person.id_number
    # A valid number with its check character changed.
    bad = old_number[:-1] + ("0" if old_number[-1] != "0" else "1")
    with pytest.raises(ValidationError) as expected:
        validate_id_document("resident_id", bad)

    response = rachel_client.post(
        change_url(person), person_form_data(person, name="改名", new_id_number=bad)
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    errors = form.errors.as_data()["new_id_number"]
    assert [e.code for e in errors] == [e.code for e in expected.value.error_list]
    assert escape(form.errors["new_id_number"][0]) in response.content.decode()
    person.refresh_from_db()
    assert person.id_number == old_number
    assert person.name != "改名"
    assert not AuditEvent.objects.exists()


def test_a_duplicate_id_number_in_the_same_customer_is_refused(rachel_client, alice_tenant):
    first = factories.PersonFactory(tenant=alice_tenant)
    second = factories.PersonFactory(tenant=alice_tenant)

    response = rachel_client.post(
        change_url(second), person_form_data(second, new_id_number=first.id_number)
    )

    assert response.status_code == 200
    assert "new_id_number" in response.context["adminform"].form.errors
    second.refresh_from_db()
    assert second.id_number_hash != first.id_number_hash
