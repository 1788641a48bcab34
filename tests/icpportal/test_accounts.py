"""Customer accounts: sign up, log-in lockout, password reset and change, members and
invitations, switching between customer accounts."""

from __future__ import annotations

import datetime
import re
import secrets

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from icpportal.accounts.actions import do_sign_up, do_sign_up_invited
from icpportal.models import AuditEvent, Invitation, Membership, Tenant
from notifications import delivery
from notifications.models import Notification
from tests.conftest import PASSWORD
from tests.factories import (
    EntityFactory,
    InvitationFactory,
    MembershipFactory,
    TenantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "a-much-better-Passw0rd-2026"


def random_ip() -> str:
    # Rate limits count per address in the shared cache: every test gets its own.
    return "10.{}.{}.{}".format(*(secrets.randbelow(254) + 1 for _ in range(3)))


@pytest.fixture(autouse=True)
def _own_address(client, settings):
    client.defaults["REMOTE_ADDR"] = random_ip()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_LOCKOUT_CALLABLE = "icpportal.accounts.views.locked_out"


def new_client(user=None) -> Client:
    browser = Client(REMOTE_ADDR=random_ip())
    if user is not None:
        browser.force_login(user)
    return browser


def sign_up_data(**changes) -> dict:
    data = {
        "email": "carol@example.com",
        "username": "carol",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "tenant_name": "Gamma Shop",
        "accept_terms": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Tenant.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# --- Sign up ---------------------------------------------------------------------------------


def test_sign_up_creates_user_tenant_and_owner_and_logs_in(client):
    # WHEN a visitor signs up
    response = client.post(reverse("sign-up"), sign_up_data())
    # THEN a login, a customer account and an owner membership exist
    assert response.status_code == 302 and response["Location"] == reverse("home")
    membership = Membership.objects.select_related("user", "tenant").get(user__username="carol")
    assert membership.role == "owner"
    assert membership.user.email == "carol@example.com"
    assert membership.user.check_password(NEW_PASSWORD)
    assert (membership.tenant.name, membership.tenant.slug) == ("Gamma Shop", "gamma-shop")
    assert actions() == ["account.sign_up", "tenant.create"]
    welcome = Notification.objects.in_app_for(membership.user).get()
    assert welcome.template_key == "account_welcome" and "Gamma Shop" in welcome.body
    # AND the visitor is logged in, working in the new account
    assert client.session["icp_tenant_id"] == membership.tenant_id
    assert "Gamma Shop" in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"username": "ALICE"}, "A user with that username already exists."),
        ({"email": "Alice@Example.com"}, "An account with this e-mail address already exists."),
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"password1": "12345678901", "password2": "12345678901"}, "entirely numeric"),
        ({"password2": "something-else-2026"}, "The two password fields didn"),
        ({"accept_terms": None}, "Please accept the service terms"),
        ({"tenant_name": "   "}, "This field is required."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
    ],
    ids=["user-name", "e-mail", "common", "numeric", "mismatch", "terms", "name", "bad-email"],
)
def test_sign_up_refuses_bad_input_and_creates_nothing(client, alice, changes, message):
    # GIVEN alice already has a login
    before = counts()
    # WHEN a visitor signs up with one wrong input
    response = client.post(reverse("sign-up"), sign_up_data(**changes))
    # THEN the form says what is wrong and nothing was created
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before
    assert "_auth_user_id" not in client.session


def test_slugs_stay_unique_and_chinese_names_get_one(db):
    first = do_sign_up(
        username="u1", email="u1@example.com", password=NEW_PASSWORD, tenant_name="Gamma Shop"
    )
    second = do_sign_up(
        username="u2", email="u2@example.com", password=NEW_PASSWORD, tenant_name="Gamma Shop"
    )
    chinese = do_sign_up(
        username="u3",
        email="u3@example.com",
        password=NEW_PASSWORD,
        tenant_name="北京示例科技有限公司",
    )
    slugs = [r.value.tenant.slug for r in (first, second, chinese)]
    assert slugs == ["gamma-shop", "gamma-shop-2", "customer"]


def test_a_user_name_taken_after_the_form_checked_it_leaves_nothing(alice):
    before = counts()
    result = do_sign_up(
        username="alice", email="new@example.com", password=NEW_PASSWORD, tenant_name="X"
    )
    assert not result.ok and "already exists" in result.message
    assert counts() == before


def test_sign_ups_are_limited_per_network_address(client, settings):
    # GIVEN a limit of two sign-up attempts an hour
    settings.SIGN_UP_LIMIT_PER_HOUR = 2
    client.post(reverse("sign-up"), sign_up_data(username="x1", email="x1@example.com"))
    client.logout()
    client.post(reverse("sign-up"), sign_up_data(username="x2", email="x2@example.com"))
    client.logout()
    before = counts()
    # WHEN a third comes from the same address
    response = client.post(reverse("sign-up"), sign_up_data(username="x3", email="x3@example.com"))
    # THEN it is refused with a clear message and nothing is created
    assert response.status_code == 429
    assert "Too many attempts from your network" in response.content.decode()
    assert counts() == before
    # AND another address may still sign up
    other = new_client().post(
        reverse("sign-up"), sign_up_data(username="x4", email="x4@example.com")
    )
    assert other.status_code == 302


def test_logged_in_users_are_sent_home_from_sign_up(alice_client):
    assert alice_client.get(reverse("sign-up"))["Location"] == reverse("home")


def test_sign_up_page_speaks_chinese(client):
    response = client.get(reverse("sign-up"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    assert "密码" in response.content.decode()  # Django's own "Password" label


# --- Log in, lockout, log out ----------------------------------------------------------------


def test_login_page_links_to_sign_up_and_password_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("sign-up") in page and reverse("password_reset") in page


def test_lockout_after_the_failure_limit_until_a_password_reset(
    client, alice, settings, mailoutbox
):
    # GIVEN alice's password guessed wrong as often as the limit allows
    limit = settings.AXES_FAILURE_LIMIT
    responses = [
        client.post(reverse("login"), {"username": "alice", "password": f"wrong-{n}"})
        for n in range(limit)
    ]
    # THEN the last failure shows the lockout page with the time to try again
    assert [r.status_code for r in responses[:-1]] == [200] * (limit - 1)
    assert responses[-1].status_code == 429
    page = responses[-1].content.decode()
    assert "too many failed log-in attempts" in page and "Please try again after" in page
    # AND even the right password is refused from this address meanwhile
    locked = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # WHEN alice resets her password by e-mail
    client.post(reverse("password_reset"), {"email": alice.email})
    link = re.search(r"http://testserver(\S+)", mailoutbox[-1].body).group(1)
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    # THEN she can log in again at once
    response = client.post(reverse("login"), {"username": "alice", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_logout_takes_a_post(alice_client):
    assert alice_client.get(reverse("logout")).status_code == 405
    alice_client.post(reverse("logout"))
    assert "_auth_user_id" not in alice_client.session


# --- Passwords -------------------------------------------------------------------------------


def test_password_reset_link_works_once(client, alice, mailoutbox):
    # WHEN alice asks for a reset link
    response = client.post(reverse("password_reset"), {"email": "ALICE@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    # THEN one e-mail with a link arrives
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@example.com"]
    assert "Reset your password" in mailoutbox[0].subject
    link = re.search(r"http://testserver(\S+)", mailoutbox[0].body).group(1)
    # AND the link sets a new password
    form_url = client.get(link)["Location"]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert actions() == ["account.password_reset"]
    delivery.deliver_due()
    assert "Your password was changed" in mailoutbox[-1].subject
    # AND a second use of the link is refused with a clear page
    again = client.get(link, follow=True)
    assert again.status_code == 404
    assert "This password reset link is not valid" in again.content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_password_change_is_audited_and_announced(alice_client, alice, mailoutbox):
    response = alice_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("password_change_done")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert actions() == ["account.password_change"]
    delivery.deliver_due()
    assert mailoutbox[-1].to == ["alice@example.com"]
    assert "alice" in mailoutbox[-1].body
    # A wrong old password changes nothing.
    wrong = alice_client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert wrong.status_code == 200 and actions() == ["account.password_change"]


# --- Invitations -----------------------------------------------------------------------------


def invite(owner_client, email="dave@example.com", role="member"):
    return owner_client.post(reverse("members"), {"email": email, "role": role})


def test_an_owner_invites_by_e_mail_and_only_the_hash_is_kept(alice_client, alice, mailoutbox):
    # WHEN alice invites dave
    response = invite(alice_client, email="Dave@Example.com")
    assert response["Location"] == reverse("members")
    # THEN an invitation for seven days exists
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "dave@example.com",
        "member",
        alice,
    )
    validity = invitation.expires_at - invitation.created_at
    assert abs(validity - datetime.timedelta(days=7)) < datetime.timedelta(seconds=5)
    assert actions() == ["invitation.create"]
    # AND dave's e-mail carries the link, whose token is stored only as its hash
    delivery.deliver_due()
    assert mailoutbox[-1].to == ["dave@example.com"]
    token = re.search(r"/accounts/invitations/([\w-]+)/", mailoutbox[-1].body).group(1)
    assert len(token) >= 40 and token not in invitation.token_hash
    assert Invitation.objects.by_token(token) == invitation
    # AND the copy kept for the history pages hides the link
    sent = Notification.objects.get(template_key="account_invitation")
    assert token not in sent.body and sent.secret_context == ""


def test_a_logged_in_user_accepts_and_works_in_the_new_account(alice, alice_tenant):
    # GIVEN an invitation of alice's for dave, who has a login
    invitation = InvitationFactory(tenant=alice_tenant, invited_by=alice, role="owner")
    dave = UserFactory(username="dave")
    browser = new_client(dave)
    url = reverse("invitation-accept", args=[invitation.token])
    assert "Join Alpha Tech" in browser.get(url).content.decode()
    # WHEN he accepts
    response = browser.post(url)
    # THEN he is an owner of alice's account and works in it
    assert response["Location"] == reverse("home")
    assert Membership.objects.get(user=dave, tenant=alice_tenant).role == "owner"
    invitation.refresh_from_db()
    assert invitation.accepted_by == dave and invitation.accepted_at is not None
    assert browser.session["icp_tenant_id"] == alice_tenant.pk
    assert actions() == ["invitation.accept", "membership.create"]
    assert Notification.objects.in_app_for(alice).get().template_key == "account_member_joined"
    # AND the link cannot be used again
    again = new_client(UserFactory()).get(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_a_visitor_creates_a_login_from_the_invitation(alice_tenant):
    invitation = InvitationFactory(tenant=alice_tenant, email="erin@example.com")
    browser = new_client()
    url = reverse("invitation-accept", args=[invitation.token])
    assert "erin@example.com" in browser.get(url).content.decode()
    response = browser.post(
        url,
        {
            "username": "erin",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "accept_terms": "on",
        },
    )
    assert response["Location"] == reverse("home")
    erin = User.objects.get(username="erin")
    assert erin.email == "erin@example.com"
    assert Membership.objects.get(user=erin).tenant == alice_tenant
    assert Tenant.objects.count() == 1  # no customer account of her own
    assert browser.session["_auth_user_id"] == str(erin.pk)


def test_invited_sign_up_with_a_bad_password_creates_nothing(alice_tenant):
    invitation = InvitationFactory(tenant=alice_tenant)
    before = counts()
    response = new_client().post(
        reverse("invitation-accept", args=[invitation.token]),
        {
            "username": "erin",
            "password1": "password",
            "password2": "password",
            "accept_terms": "on",
        },
    )
    assert response.status_code == 400 and "too common" in response.content.decode()
    assert counts() == before


def test_an_invitation_revoked_meanwhile_creates_no_login(alice_tenant):
    invitation = InvitationFactory(tenant=alice_tenant, revoked_at=timezone.now())
    result = do_sign_up_invited(invitation.token, username="erin", password=NEW_PASSWORD)
    assert not result.ok and "withdrawn" in result.message
    assert not User.objects.filter(username="erin").exists()


@pytest.mark.parametrize(
    "state,status,message",
    [
        ("expired", 410, "This invitation expired on"),
        ("revoked", 410, "withdrawn by an owner of Alpha Tech"),
        ("used", 410, "already been used"),
        ("wrong", 404, "This invitation link is not valid"),
    ],
)
def test_unusable_links_say_why_and_change_nothing(alice_tenant, state, status, message):
    # GIVEN an invitation in this state (or a made-up token)
    invitation = InvitationFactory(tenant=alice_tenant)
    past = timezone.now() - datetime.timedelta(minutes=1)
    changes = {"expired": {"expires_at": past}, "revoked": {"revoked_at": past}}
    changes["used"] = {"accepted_at": past, "accepted_by": UserFactory()}
    Invitation.objects.filter(pk=invitation.pk).update(**changes.get(state, {}))
    token = invitation.token if state != "wrong" else "made-up-token"
    browser = new_client(UserFactory(username="dave"))
    before = counts()
    # WHEN dave opens and submits the link
    page = browser.get(reverse("invitation-accept", args=[token]))
    browser.post(reverse("invitation-accept", args=[token]))
    # THEN the page says why it cannot be used, and dave joined nothing
    assert page.status_code == status
    assert message in page.content.decode()
    assert counts() == before


def test_a_member_who_accepts_again_is_told_so_and_the_link_stays_open(alice, alice_tenant):
    invitation = InvitationFactory(tenant=alice_tenant)
    browser = new_client(alice)
    browser.post(reverse("invitation-accept", args=[invitation.token]))
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    page = browser.get(reverse("invitation-accept", args=[invitation.token])).content.decode()
    assert "You are already a member of Alpha Tech" in page


def test_inviting_again_replaces_the_open_invitation(alice_client, alice_tenant):
    invite(alice_client)
    response = invite(alice_client, role="owner")
    assert response.status_code == 302
    old, new = Invitation.objects.order_by("id")
    assert old.revoked_at is not None and new.state == "pending" and new.role == "owner"
    assert actions() == ["invitation.create", "invitation.revoke", "invitation.create"]


def test_inviting_an_existing_member_is_refused(alice_client, alice_tenant):
    MembershipFactory(tenant=alice_tenant, user=UserFactory(username="dave"), role="member")
    response = invite(alice_client, email="DAVE@example.com")
    assert response.status_code == 400
    assert "dave@example.com is already a member of Alpha Tech" in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_owner_revokes_an_invitation(alice_client, alice_tenant):
    invitation = InvitationFactory(tenant=alice_tenant)
    alice_client.post(reverse("invitation-revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    assert actions() == ["invitation.revoke"]


# --- Members ---------------------------------------------------------------------------------


@pytest.fixture
def carol(alice_tenant):
    """A plain member of alice's customer account."""
    return MembershipFactory(tenant=alice_tenant, user=UserFactory(username="carol"), role="member")


def test_members_may_look_but_not_manage(carol, alice, alice_tenant):
    invitation = InvitationFactory(tenant=alice_tenant)
    browser = new_client(carol.user)
    page = browser.get(reverse("members"))
    assert page.status_code == 200
    assert "alice" in page.content.decode() and 'name="role"' not in page.content.decode()
    assert invite(browser).status_code == 403
    alice_membership = Membership.objects.get(user=alice)
    assert (
        browser.post(
            reverse("member-role", args=[alice_membership.pk]), {"role": "member"}
        ).status_code
        == 403
    )
    assert browser.post(reverse("member-remove", args=[alice_membership.pk])).status_code == 403
    assert browser.post(reverse("invitation-revoke", args=[invitation.pk])).status_code == 403
    assert actions() == []


def test_another_tenants_members_and_invitations_answer_404(alice_client, bob, bob_tenant):
    bobs = Membership.objects.get(user=bob)
    invitation = InvitationFactory(tenant=bob_tenant)
    assert (
        alice_client.post(reverse("member-role", args=[bobs.pk]), {"role": "member"}).status_code
        == 404
    )
    assert alice_client.post(reverse("member-remove", args=[bobs.pk])).status_code == 404
    assert alice_client.post(reverse("invitation-revoke", args=[invitation.pk])).status_code == 404
    assert "bob" not in alice_client.get(reverse("members")).content.decode()
    assert actions() == []


def test_the_last_owner_can_be_neither_removed_nor_demoted(alice_client, alice):
    own = Membership.objects.get(user=alice)
    removed = alice_client.post(reverse("member-remove", args=[own.pk]), follow=True)
    demoted = alice_client.post(
        reverse("member-role", args=[own.pk]), {"role": "member"}, follow=True
    )
    for response in (removed, demoted):
        assert "alice is the only owner of Alpha Tech" in response.content.decode()
    own.refresh_from_db()
    assert own.role == "owner" and actions() == []


def test_an_owner_promotes_a_member_and_then_steps_down(alice_client, alice, carol):
    alice_client.post(reverse("member-role", args=[carol.pk]), {"role": "owner"})
    carol.refresh_from_db()
    assert carol.role == "owner"
    own = Membership.objects.get(user=alice)
    response = alice_client.post(reverse("member-remove", args=[own.pk]))
    assert response["Location"] == reverse("home")
    assert not Membership.objects.filter(pk=own.pk).exists()
    change, removal = AuditEvent.objects.order_by("id")
    assert (change.action, change.before["role"], change.after["role"]) == (
        "membership.change_role",
        "member",
        "owner",
    )
    assert (removal.action, removal.before["user"], removal.actor) == (
        "membership.remove",
        "alice",
        alice,
    )


def test_members_page_queries_do_not_grow_with_members(
    alice_client, alice_tenant, django_assert_max_num_queries
):
    # GIVEN a customer account with many members and open invitations
    for n in range(25):
        MembershipFactory(tenant=alice_tenant, role="member" if n % 3 else "owner")
    for _ in range(5):
        InvitationFactory(tenant=alice_tenant, invited_by=UserFactory())
    # WHEN the owner opens the members page
    with django_assert_max_num_queries(8):
        response = alice_client.get(reverse("members"))
    # THEN every member and invitation is listed
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('id="member-') == 26 and page.count('id="invitation-') == 5


def test_only_owners_see_members_in_the_navigation(alice_client, carol):
    assert reverse("members") in alice_client.get(reverse("home")).content.decode()
    assert reverse("members") not in new_client(carol.user).get(reverse("home")).content.decode()


# --- Switching customer accounts -------------------------------------------------------------


def test_a_user_of_two_accounts_switches_and_sees_the_second_ones_data(alice_client, alice):
    # GIVEN alice is also a member of a second customer account with an entity
    second = TenantFactory(name="Delta Studio", slug="delta")
    MembershipFactory(user=alice, tenant=second, role="member")
    entity = EntityFactory(tenant=second, name="Delta Studio Ltd")
    assert entity.name not in alice_client.get(reverse("home")).content.decode()
    # WHEN she switches to it
    alice_client.post(reverse("switch-tenant"), {"tenant": second.pk})
    # THEN the dashboard shows its name and its entity
    page = alice_client.get(reverse("home")).content.decode()
    assert "ICP filings of Delta Studio" in page and entity.name in page


def test_a_user_without_an_account_sees_a_helpful_empty_dashboard(db):
    browser = new_client(UserFactory(username="frank"))
    response = browser.get(reverse("home"))
    assert response.status_code == 200
    assert "not linked to a customer account yet" in response.content.decode()
