"""The staff queues' customer filter: a bounded type-ahead, never a list of every customer.

The four queues (cases, triage, findings, provider review) filter by a customer's id;
their select offers "All customers", the chosen customer and the matches of the search
box beside it; ``/staff/customers/options/`` answers those options to htmx.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from icpportal.accounts.two_factor.enforcement import verify_url
from inspections.queues.base import active_filters
from tests import factories
from tests.clients import give_authenticator, unverified_staff_client
from tests.filings.test_review_pages import submitted
from tests.inspections.cases_helpers import website_of
from tests.inspections.queue_fixtures import case_of
from tests.inspections.test_triage import cannot_tell

pytestmark = pytest.mark.django_db

QUEUES = ["/staff/cases/", "/staff/triage/", "/staff/findings/", "/staff/review/"]
OPTIONS = "/staff/customers/options/"


def customer_options(html: str) -> list[tuple[str, str]]:
    """The (value, label) of each option of the page's customer select."""
    select = re.search(r'<select name="tenant".*?</select>', html, re.S)
    assert select, "the page has a customer select"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))


@pytest.fixture
def thirty_customers():
    """25 "Acme" customers (named out of order) and 5 others."""
    acme = [factories.TenantFactory(name=f"Acme Shop {n:02d}") for n in range(25, 0, -1)]
    others = [factories.TenantFactory(name=f"Zenith Media {n}") for n in range(5)]
    return acme, others


@pytest.mark.parametrize("url", QUEUES)
def test_a_queue_offers_no_customer_until_one_is_chosen(rachel_client, thirty_customers, url):
    acme, _others = thirty_customers

    # WHEN rachel opens the queue, THEN its customer select offers "All customers" only
    html = rachel_client.get(url).content.decode()
    assert customer_options(html) == [("", "All customers")]
    assert 'name="customer_search"' in html and "Find a customer" in html

    # WHEN she filters by a customer, THEN that one is offered too, chosen
    chosen = acme[3]
    html = rachel_client.get(url, {"tenant": chosen.pk}).content.decode()
    assert customer_options(html) == [("", "All customers"), (str(chosen.pk), chosen.name)]
    assert f'<option value="{chosen.pk}" selected>' in html


@pytest.mark.parametrize(
    ("url", "size"),
    [("/staff/cases/", "-sm"), ("/staff/triage/", "-sm"), ("/staff/review/", "")],
)
def test_the_search_box_takes_the_size_of_the_select_beside_it(rachel_client, url, size):
    # WHEN rachel opens a queue whose filter bar is compact (staff queues) or not (review)
    html = rachel_client.get(url).content.decode()
    # THEN the customer select and its search box are the same size
    select = re.search(r'<select name="tenant"[^>]*class="([^"]*)"', html).group(1)
    search = re.search(
        r'<input type="search" name="customer_search"[^>]*?class="([^"]*)"', html, re.S
    )
    assert ("form-select-sm" in select.split()) == bool(size)
    assert ("form-control-sm" in search.group(1).split()) == bool(size)


@pytest.mark.parametrize("url", QUEUES)
def test_a_search_term_offers_up_to_20_matching_customers_by_name(
    rachel_client, thirty_customers, url
):
    acme, others = thirty_customers

    # WHEN rachel submits the filter bar with a term
    html = rachel_client.get(url, {"customer_search": "acme shop"}).content.decode()

    # THEN the select offers the first 20 matches by name, and the term stays in its box
    offered = customer_options(html)
    assert offered[0] == ("", "All customers")
    assert [name for _pk, name in offered[1:]] == [f"Acme Shop {n:02d}" for n in range(1, 21)]
    assert 'value="acme shop"' in html
    assert not any(other.name in html for other in others)

    # ... and a chosen customer stays offered beside the matches, once
    chosen = acme[0]  # Acme Shop 25, past the first 20
    html = rachel_client.get(url, {"tenant": chosen.pk, "customer_search": "Shop 2"}).content
    offered = customer_options(html.decode())
    assert offered[:2] == [("", "All customers"), (str(chosen.pk), chosen.name)]
    assert [pk for pk, _name in offered].count(str(chosen.pk)) == 1
    assert len(offered) == 2 + 5  # Shop 20 to 24 besides the chosen 25


def test_filtering_by_id_narrows_every_queue_and_the_search_term_filters_nothing(
    rachel_client, alice_tenant, bob_tenant
):
    # GIVEN a case (with its finding), a triage result and an application per customer
    for tenant in (alice_tenant, bob_tenant):
        case_of(tenant)
        cannot_tell(website_of(tenant))
    alices_application = submitted(alice_tenant, 870)
    submitted(bob_tenant, 871)

    def rows(url, **params):
        context = rachel_client.get(url, params).context
        if url == "/staff/review/":
            return [row.application.tenant_id for row in context["rows"]]
        return [
            getattr(row, "tenant_id", None) or row.case.tenant_id
            for row in context["page_obj"].rows
        ]

    for url in QUEUES:
        # WHEN rachel filters by alice's customer, THEN only alice's rows are left
        assert set(rows(url, tenant=alice_tenant.pk)) == {alice_tenant.pk}, url
        # ... while a customer search term alone narrows no row
        assert set(rows(url, customer_search="Beta")) == {alice_tenant.pk, bob_tenant.pk}, url
    assert alices_application.tenant_id == alice_tenant.pk


@pytest.mark.parametrize("url", QUEUES)
@pytest.mark.parametrize("bad", ["999999", "99999999999999999999999", "abc", "²"])
def test_an_id_of_no_customer_is_pointed_out_and_ignored(rachel_client, url, bad):
    response = rachel_client.get(url, {"tenant": bad})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["tenant"]
    assert "not understood" in response.content.decode()


def test_the_customer_search_is_no_filter_for_exports_and_bulk_jobs():
    request = RequestFactory().get("/staff/cases/", {"tenant": "12", "customer_search": "acme"})
    assert active_filters(request) == {"tenant": "12"}


def test_a_chosen_customer_costs_one_query_a_search_one_more(
    leo_client, alice_tenant, django_assert_max_num_queries
):
    cannot_tell(website_of(alice_tenant))
    leo_client.get("/staff/triage/")  # fills the cached province choices
    # The triage page's 6 (see test_triage), and the chosen customer's name
    with django_assert_max_num_queries(7):
        leo_client.get("/staff/triage/", {"tenant": alice_tenant.pk})
    with django_assert_max_num_queries(8):
        leo_client.get("/staff/triage/", {"tenant": alice_tenant.pk, "customer_search": "Al"})


# ---- the options endpoint -------------------------------------------------------------------


def test_the_options_answer_up_to_20_matches_by_name(rachel_client, thirty_customers):
    response = rachel_client.get(OPTIONS, {"q": "ACME"})
    assert response.status_code == 200
    html = response.content.decode()
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    assert labels == ["All customers", *(f"Acme Shop {n:02d}" for n in range(1, 21))]
    assert "Zenith" not in html


def test_the_options_keep_the_selected_customer_chosen(rachel_client, thirty_customers):
    chosen = thirty_customers[1][2]
    # The filter bar's box sends its own field names: customer_search and the select's tenant
    for params in (
        {"q": "Shop 0", "selected": chosen.pk},
        {"customer_search": "Shop 0", "tenant": chosen.pk},
    ):
        html = rachel_client.get(OPTIONS, params).content.decode()
        options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
        assert options[:2] == [
            ("", "", "All customers"),
            (str(chosen.pk), " selected", chosen.name),
        ]
        assert len(options) == 2 + 9  # Acme Shop 01 to 09


def test_the_options_escape_names(rachel_client):
    factories.TenantFactory(name='<script>alert("x")</script> & Co')
    html = rachel_client.get(OPTIONS, {"q": "script"}).content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html


def test_the_options_are_for_staff_with_their_second_factor(alice_client, rachel, thirty_customers):
    # A customer is refused as on every staff page; nobody logged in goes to log in
    assert alice_client.get(OPTIONS, {"q": "Acme"}).status_code == 403
    anonymous = Client().get(OPTIONS, {"q": "Acme"})
    assert anonymous.status_code == 302 and reverse("login") in anonymous.url
    # A staff login that has not passed its second factor is sent to it
    give_authenticator(rachel)
    session = unverified_staff_client(rachel)
    unverified = session.get(OPTIONS, {"q": "Acme"})
    assert unverified.status_code == 302
    assert unverified.url == verify_url(f"{OPTIONS}?q=Acme")
    assert "Acme" not in unverified.content.decode()
    # ... a whole page, even when htmx asks for the options
    htmx = session.get(OPTIONS, {"q": "Acme"}, HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == verify_url(f"{OPTIONS}?q=Acme")


def test_customer_names_have_a_trigram_index_for_the_type_ahead():
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")  # the suite runs on PostgreSQL in CI
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'icpportal_tenant' "
            "AND indexname = 'tenant_name_trgm'"
        )
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "gin_trgm_ops" in definition and "upper" in definition
