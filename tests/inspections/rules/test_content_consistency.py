"""Rule 7, content consistency: content suits the entity type and carries its pre-approval."""

from __future__ import annotations

import datetime

import pytest

from filings.choices import ApplicationKind, ContentCategory, EntityType
from filings.validators import to_idna
from inspections.rules import Severity, Status, get_rule
from inspections.snapshot import (
    DomainSnapshot,
    EntitySnapshot,
    PreApprovalSnapshot,
    Snapshot,
    WebsiteSnapshot,
    load_snapshots,
)
from inspections.snapshot.parts import APPLICATION
from tests.factories import DomainFactory, EntityFactory, PersonFactory, WebsiteFactory

AS_OF = datetime.date(2026, 6, 1)
Category = ContentCategory


@pytest.fixture
def rule():
    return get_rule("content_consistency")


def approval(category, number="京新闻许字〔2025〕001号"):
    return PreApprovalSnapshot(category=category, number=number, issuer="Some authority")


def snapshot(
    category=Category.CORPORATE,
    entity_type=EntityType.ENTERPRISE,
    *,
    name="阿尔法官网",
    approvals=(),
    domains=("alpha.example.com",),
    **kwargs,
):
    return Snapshot(
        as_of=AS_OF,
        entity=EntitySnapshot(id=1, entity_type=entity_type, name="北京阿尔法科技有限公司"),
        website=WebsiteSnapshot(
            id=1, name=name, content_category=category, pre_approvals=tuple(approvals)
        ),
        domains=tuple(DomainSnapshot(name=d) for d in domains),
        **kwargs,
    )


def problem_codes(outcome):
    return [p["code"] for p in outcome.evidence.get("problems", [])]


def test_an_enterprise_showcase_passes(rule):
    outcome = rule.check(snapshot())
    assert outcome.status == Status.PASS
    assert outcome.evidence["content_category"] == "corporate"


# ---- personal filings ------------------------------------------------------------------


def test_a_personal_blog_on_a_personal_filing_passes(rule):
    outcome = rule.check(snapshot(Category.PERSONAL_BLOG, EntityType.INDIVIDUAL, name="张三的博客"))
    assert outcome.status == Status.PASS


def test_a_forum_on_a_personal_filing_fails_blocking(rule):
    # GIVEN an individual's filing hosting a forum
    outcome = rule.check(snapshot(Category.FORUM, EntityType.INDIVIDUAL))
    # THEN blocking, saying what it is filed as, next to the category
    assert outcome.is_blocking
    assert outcome.message == (
        "A personal filing may only host a personal blog or showcase; this website is "
        "filed as Forum or community."
    )
    assert outcome.fields == ("website.content_category",)


def test_regulated_content_on_a_personal_filing_fails_once(rule):
    # GIVEN an individual filing a news site without any approval
    outcome = rule.check(snapshot(Category.NEWS, EntityType.INDIVIDUAL))
    # THEN the personal-filing problem only: asking for a news licence would mislead
    assert problem_codes(outcome) == ["personal_filing_content"]


def test_a_personal_blog_on_an_organisations_filing_passes(rule):
    assert rule.check(snapshot(Category.PERSONAL_BLOG)).status == Status.PASS


# ---- entity type vs content ------------------------------------------------------------


def test_government_affairs_on_an_enterprise_fails_blocking(rule):
    outcome = rule.check(snapshot(Category.GOVERNMENT_AFFAIRS))
    assert outcome.is_blocking
    assert problem_codes(outcome) == ["category_not_for_entity_type"]
    assert "Enterprise" in outcome.message and "Government affairs" in outcome.message


@pytest.mark.parametrize("entity_type", [EntityType.GOVERNMENT, EntityType.PUBLIC_INSTITUTION])
def test_government_affairs_on_a_public_body_passes(rule, entity_type):
    outcome = rule.check(snapshot(Category.GOVERNMENT_AFFAIRS, entity_type, name="区政务网"))
    assert outcome.status == Status.PASS


def test_a_shop_on_a_government_filing_fails_blocking(rule):
    outcome = rule.check(snapshot(Category.ECOMMERCE, EntityType.GOVERNMENT))
    assert outcome.is_blocking
    assert problem_codes(outcome) == ["category_not_for_entity_type"]


# ---- pre-approvals -----------------------------------------------------------------------


def test_news_without_a_pre_approval_fails_blocking(rule):
    outcome = rule.check(snapshot(Category.NEWS, name="阿尔法"))
    assert outcome.is_blocking
    assert problem_codes(outcome) == ["pre_approval_missing"]
    assert outcome.fields == ("website.pre_approvals",)
    assert "News" in outcome.message


def test_news_with_its_pre_approval_passes(rule):
    outcome = rule.check(snapshot(Category.NEWS, name="阿尔法新闻", approvals=[approval("news")]))
    assert outcome.status == Status.PASS
    assert outcome.evidence["pre_approvals"][0]["category"] == "news"


def test_a_pre_approval_without_a_number_does_not_count(rule):
    outcome = rule.check(snapshot(Category.GAMES, approvals=[approval("games", number=" ")]))
    assert problem_codes(outcome) == ["pre_approval_missing"]


def test_a_pre_approval_of_another_category_warns(rule):
    # GIVEN a news site holding its news approval and a finance one
    approvals = [approval("news"), approval("finance", number="金融许可001")]
    outcome = rule.check(snapshot(Category.NEWS, approvals=approvals))
    # THEN a warning naming the stray approval
    assert outcome.status == Status.FAIL and outcome.severity == Severity.WARNING
    assert problem_codes(outcome) == ["pre_approval_category_mismatch"]
    assert "金融许可001" in outcome.message and "Finance" in outcome.message


def test_only_a_pre_approval_of_another_category_is_missing_and_mismatched(rule):
    # GIVEN a finance site holding only a news approval
    outcome = rule.check(snapshot(Category.FINANCE, approvals=[approval("news")]))
    # THEN blocking (finance approval missing) and the mismatch listed as a warning
    assert outcome.is_blocking
    assert problem_codes(outcome) == ["pre_approval_missing", "pre_approval_category_mismatch"]


# ---- signals in the name and domains ------------------------------------------------------


def test_a_news_name_on_a_showcase_warns_with_the_keyword(rule):
    # GIVEN a corporate showcase called 贝塔新闻网
    outcome = rule.check(snapshot(name="贝塔新闻网"))
    # THEN a warning, with the keyword in the evidence, next to the name
    assert outcome.status == Status.FAIL and outcome.severity == Severity.WARNING
    assert outcome.fields == ("website.name",)
    assert outcome.evidence["signals"] == [
        {"category": "news", "keyword": "新闻", "field": "website.name", "text": "贝塔新闻网"}
    ]
    assert "新闻" in outcome.message


@pytest.mark.parametrize(
    ("domain", "category", "keyword"),
    [
        ("game-center.example.com", "games", "game"),
        ("abc-tv.example.com", "radio_film_tv", "tv"),
        ("mynews.example.cn", "news", "news"),
        (to_idna("理财.中国"), "finance", "理财"),
    ],
)
def test_a_signalling_domain_warns(rule, domain, category, keyword):
    outcome = rule.check(snapshot(name="阿尔法", domains=("alpha.example.com", domain)))
    assert outcome.severity == Severity.WARNING
    assert outcome.fields == ("domains.1.name",)
    [signal] = outcome.evidence["signals"]
    assert (signal["category"], signal["keyword"]) == (category, keyword)


@pytest.mark.parametrize("domain", ["cctvx.example.com", "pride.example.com", "override.cn"])
def test_short_words_inside_other_words_are_no_signal(rule, domain):
    outcome = rule.check(snapshot(name="阿尔法", domains=(domain,)))
    assert outcome.status == Status.PASS


def test_a_signal_with_a_pre_approval_on_file_is_not_repeated(rule):
    # GIVEN a showcase named like a game site that holds a games approval
    outcome = rule.check(snapshot(name="阿尔法游戏", approvals=[approval("games")]))
    # THEN no signal warning (only the category mismatch of the approval is shown)
    assert problem_codes(outcome) == ["pre_approval_category_mismatch"]


# ---- what cannot be judged -------------------------------------------------------------


def test_a_draft_without_a_website_is_not_applicable(rule):
    draft = Snapshot(
        as_of=AS_OF, source=APPLICATION, application_kind=ApplicationKind.CHANGE_ENTITY
    )
    assert rule.check(draft).status == Status.NOT_APPLICABLE


def test_a_cancel_access_is_not_judged(rule):
    draft = snapshot(
        Category.FORUM,
        EntityType.INDIVIDUAL,
        source=APPLICATION,
        application_kind=ApplicationKind.CANCEL_ACCESS,
    )
    assert rule.check(draft).status == Status.NOT_APPLICABLE


def test_a_live_website_without_a_category_fails_blocking(rule):
    outcome = rule.check(snapshot(""))
    assert problem_codes(outcome) == ["category_missing"]


# ---- through load_snapshots on live rows -------------------------------------------------


@pytest.mark.django_db
def test_live_websites_from_factory_rows(rule, alice_tenant):
    # GIVEN a company showcase, a company news site with its approval, and a
    # personal filing hosting a shop
    company = EntityFactory(tenant=alice_tenant)
    showcase = WebsiteFactory(entity=company, name="阿尔法官网")
    news = WebsiteFactory(
        entity=company,
        name="阿尔法资讯",
        content_category=Category.NEWS,
        pre_approvals=[{"category": "news", "number": "京新闻许字001号", "issuer": "网信办"}],
    )
    me = PersonFactory(tenant=alice_tenant, name="张三")
    personal = EntityFactory(
        tenant=alice_tenant,
        head=me,
        entity_type=EntityType.INDIVIDUAL,
        name="张三",
        id_type="resident_id",
        id_number=me.id_number,
    )
    shop = WebsiteFactory(entity=personal, name="张三小店", content_category=Category.ECOMMERCE)
    for website in (showcase, news, shop):
        DomainFactory(website=website)

    # WHEN the rule runs on the loaded snapshots
    outcomes = [rule.check(s) for s in load_snapshots([showcase.pk, news.pk, shop.pk], as_of=AS_OF)]

    # THEN the showcase and the approved news site pass; the personal shop is blocking
    assert [o.status for o in outcomes] == [Status.PASS, Status.PASS, Status.FAIL]
    assert outcomes[2].is_blocking
    assert "E-commerce" in outcomes[2].message


@pytest.mark.django_db
def test_a_live_news_site_without_approval_fails(rule, alice_tenant):
    # GIVEN a company news site whose approval was never recorded
    website = WebsiteFactory(
        entity=EntityFactory(tenant=alice_tenant), content_category=Category.NEWS
    )
    [loaded] = load_snapshots([website.pk], as_of=AS_OF)
    # THEN blocking: pre-approval missing
    outcome = rule.check(loaded)
    assert outcome.is_blocking
    assert problem_codes(outcome) == ["pre_approval_missing"]
