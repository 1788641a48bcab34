"""A campaign over every rule on the seeded demo data finds exactly its deliberate problems.

The demo is seeded once for the module (rolled back at the end); the campaign runs
through the real tasks in this process (Celery eager), with the embedded DNS backend
reading the committed demo zone.
"""

from __future__ import annotations

from collections import defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from filings.demo import CLEAN_CONTRASTS, DELIBERATE_PROBLEMS, INSPECTION_RULES
from inspections.campaigns import Scope, do_create_campaign, do_start_campaign
from inspections.findings import blocking_findings
from inspections.models import Campaign, CampaignStatus, RuleResult
from inspections.rules import Status, all_rules
from inspections.tasks import start_campaign

ZONE = Path(settings.BASE_DIR) / "inspections" / "demo" / "demo.zone"
FOUND = {Status.FAIL, Status.CANNOT_TELL}
CLEAN = {Status.PASS, Status.NOT_APPLICABLE}


def _demo_settings(media: Path) -> dict:
    return {
        "STORAGES": {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(media)},
            },
        },
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "DNS_BACKEND": "zonefile",
        "DNS_ZONEFILE": str(ZONE),
        "RDAP_BASE_URL": "",
    }


@pytest.fixture(scope="module")
def demo_campaign(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded and inspected once: the finished campaign and its results, as
    {website name: {rule code: RuleResult}}."""
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(**_demo_settings(media)),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        campaign = do_create_campaign(name="Demo sweep", scope=Scope())
        do_start_campaign(campaign)
        # What the start's on-commit hook sends; the module's transaction never commits.
        start_campaign.apply(args=(campaign.pk,))
        campaign.refresh_from_db()
        results: dict[str, dict[str, RuleResult]] = defaultdict(dict)
        for result in RuleResult.objects.filter(campaign=campaign).select_related("website"):
            results[result.website.name][result.rule_code] = result
        blocking = {website_id for website_id, _rows in blocking_findings(campaign.pk)}
        yield campaign, dict(results), blocking
        transaction.set_rollback(True)


def labelled() -> dict[str, set[str]]:
    by_website: dict[str, set[str]] = defaultdict(set)
    for code, name, _description in DELIBERATE_PROBLEMS:
        by_website[name].add(code)
    return by_website


def test_the_demo_campaign_inspects_every_website_with_every_rule(demo_campaign, db):
    # GIVEN the seeded demo WHEN a campaign over every rule ran
    campaign, results, _blocking = demo_campaign
    # THEN it finished with one result per website and rule
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.FINISHED
    assert campaign.total_websites == len(results) >= 50
    codes = {rule.code for rule in all_rules()}
    assert codes == set(INSPECTION_RULES)
    assert all(set(by_rule) == codes for by_rule in results.values())
    # AND no rule answered with an error on the demo data
    assert not [
        (name, code) for name, by_rule in results.items() for code, r in by_rule.items()
        if r.status == Status.ERROR
    ]  # fmt: skip


def test_each_deliberate_problem_is_found_by_its_rule(demo_campaign, db):
    # GIVEN the labelled problems of the demo data and the campaign's results
    _campaign, results, _blocking = demo_campaign

    # THEN every labelled problem is a failure or a "cannot tell" of the labelled rule
    missed = [
        (code, name, description, results[name][code].status)
        for code, name, description in DELIBERATE_PROBLEMS
        if results[name][code].status not in FOUND
    ]
    assert not missed
    # AND a non-pass keeps its evidence and a message for the customer
    for code, name, _description in DELIBERATE_PROBLEMS:
        result = results[name][code]
        assert result.evidence and result.message, (code, name)


def test_no_rule_reports_anything_the_data_does_not_label(demo_campaign, db):
    # GIVEN the campaign's results
    _campaign, results, _blocking = demo_campaign
    problems = labelled()

    # THEN each website's non-pass answers are exactly its labelled problems: clean
    # websites pass every rule, and a problem website fails nothing else
    unexpected = {
        name: sorted(code for code, r in by_rule.items() if r.status not in CLEAN)
        for name, by_rule in results.items()
        if {code for code, r in by_rule.items() if r.status not in CLEAN}
        != problems.get(name, set())
    }
    assert unexpected == {}
    # AND the clean websites close to a problem (CDN chains, IPv6 only, another
    # province's margin) pass the rule they sit next to
    for code, name, description in CLEAN_CONTRASTS:
        assert results[name][code].status == Status.PASS, (code, name, description)


def test_blocking_findings_list_the_websites_with_blocking_failures(demo_campaign, db):
    # GIVEN the finished demo campaign
    _campaign, results, blocking = demo_campaign

    # THEN the findings the enforcement opens cases from are the blocking failures
    expected = {
        r.website_id
        for by_rule in results.values()
        for r in by_rule.values()
        if r.status == Status.FAIL and r.severity == "blocking"
    }
    assert blocking == expected
    assert len(blocking) >= 15
    # AND a warning alone (an SMS never verified) opens nothing
    member_centre = results["阿尔法会员中心"]["contact_reachability"]
    assert (member_centre.status, member_centre.severity) == (Status.FAIL, "warning")
    assert member_centre.website_id not in blocking
