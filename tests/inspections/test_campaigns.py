"""The campaign engine on PostgreSQL: scope, start, chunks, upserts, cancel, finish, findings.

Tasks run in process (conftest sets Celery's eager mode); the worker process itself is
tested in test_worker.py. Most tests use small rules of their own, registered in a
fresh RuleRegistry, so the counts do not depend on the real rules' judgement.
"""

from __future__ import annotations

import threading

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule

from filings.models import Website
from icpportal.models import AuditEvent
from inspections import tasks
from inspections.campaigns import (
    CampaignError,
    Scope,
    count_in_scope,
    do_cancel_campaign,
    do_create_campaign,
    do_make_recurring,
    do_start_campaign,
    websites_in_scope,
)
from inspections.findings import (
    CampaignNotFinished,
    blocking_findings,
    campaign_progress,
    triage_results,
)
from inspections.models import (
    Campaign,
    CampaignStatus,
    InspectionStatus,
    RuleResult,
    WebsiteInspection,
)
from inspections.rules import Rule, RuleRegistry, all_rules
from tests.factories import (
    CampaignFactory,
    DomainFactory,
    EntityFactory,
    RuleResultFactory,
    TenantFactory,
    WebsiteFactory,
)

pytestmark = pytest.mark.django_db


# ---- small rules of the tests' own ---------------------------------------------------------

test_registry = RuleRegistry()


@test_registry.register
class AlwaysPasses(Rule):
    code = "always_passes"
    version = 3
    title = "Always passes"

    def check(self, snapshot):
        return self.passed({"seen": snapshot.website.name})


@test_registry.register
class NameSaysBad(Rule):
    """Fails blocking for a website named "bad…", warns for "meh…", cannot tell for "odd…"."""

    code = "name_says_bad"
    version = 1
    title = "Name says bad"

    def check(self, snapshot):
        name = snapshot.website.name
        if name.startswith("bad"):
            return self.failed(f"{name} is bad.", evidence={"name": name}, fields=["website.name"])
        if name.startswith("meh"):
            return self.failed(f"{name} is meh.", blocking=False, evidence={"name": name})
        if name.startswith("odd"):
            return self.cannot_tell(f"{name} is odd.", evidence={"name": name})
        return self.passed()


TEST_CODES = ["always_passes", "name_says_bad"]


@pytest.fixture
def test_rules(monkeypatch):
    """The engine runs the tests' registry instead of the installation's."""
    monkeypatch.setattr(tasks, "rules_for", test_registry.select)
    monkeypatch.setattr("inspections.campaigns.rules_for", test_registry.select)
    return test_registry


def filed(tenant=None, *, name=None, province="110000", **kwargs):
    """A filed website accessed here, with one domain."""
    entity = EntityFactory(tenant=tenant or TenantFactory(), province_id=province)
    extra = {"name": name} if name else {}
    website = WebsiteFactory(entity=entity, **extra, **kwargs)
    DomainFactory(website=website)
    return website


def start_now(campaign, actor, django_capture_on_commit_callbacks):
    """Start the campaign and run what its transaction queued (eager Celery)."""
    with django_capture_on_commit_callbacks(execute=True):
        do_start_campaign(campaign, actor=actor)
    campaign.refresh_from_db()
    return campaign


# ---- scope ---------------------------------------------------------------------------------


def test_scope_covers_filed_websites_accessed_here_or_moving_here(alice_tenant, bob_tenant):
    # GIVEN websites of two customers in two provinces, and some that are not inspected
    a1 = filed(alice_tenant)
    a2 = filed(alice_tenant, province="310000")
    b1 = filed(bob_tenant, access_state=Website.AccessState.TRANSFER_PENDING)
    filed(bob_tenant, filing_state=Website.FilingState.DEREGISTERED)
    filed(bob_tenant, access_state=Website.AccessState.NOT_ACCESSED)
    filed(alice_tenant, access_state=Website.AccessState.ACCESS_CANCELLED)

    def ids(scope):
        return set(websites_in_scope(scope).values_list("pk", flat=True))

    # WHEN / THEN each kind of scope resolves to the filed, accessed (or moving) websites
    assert ids(Scope()) == {a1.pk, a2.pk, b1.pk}
    assert ids(Scope("tenant", tenant_ids=(alice_tenant.pk,))) == {a1.pk, a2.pk}
    assert ids(Scope("province", province_codes=("310000",))) == {a2.pk}
    assert ids(Scope("websites", website_ids=(a1.pk, b1.pk, 999_999))) == {a1.pk, b1.pk}
    assert count_in_scope(Scope("tenant", tenant_ids=(bob_tenant.pk,))) == 1


def test_create_refuses_unknown_rules_and_empty_scopes(leo, test_rules):
    # GIVEN / WHEN a lead asks for a rule that does not exist, or a scope with no choice
    with pytest.raises(CampaignError, match="no_such_rule"):
        do_create_campaign(name="x", scope=Scope(), rule_codes=["no_such_rule"], actor=leo)
    with pytest.raises(CampaignError):
        do_create_campaign(name="x", scope=Scope("tenant"), actor=leo)
    # THEN nothing is saved; a valid one is saved with its audit row
    assert not Campaign.objects.exists()
    campaign = do_create_campaign(
        name="Beijing", scope=Scope("province", province_codes=("110000",)), actor=leo
    )
    assert campaign.status == CampaignStatus.PENDING
    event = AuditEvent.objects.get(action="campaign.create")
    assert event.actor == leo and event.after["provinces"] == ["110000"]


# ---- start, chunks, results ----------------------------------------------------------------


def test_start_inspects_every_website_in_chunks_and_finishes(
    leo, test_rules, monkeypatch, django_capture_on_commit_callbacks
):
    # GIVEN five filed websites (two with problems) and one deregistered
    sites = [filed(name=n) for n in ("bad-1", "fine-2", "meh-3", "fine-4", "odd-5")]
    filed(filing_state=Website.FilingState.DEREGISTERED)
    campaign = do_create_campaign(name="All", scope=Scope(), chunk_size=2, actor=leo)
    queued = []
    real_apply_async = tasks.run_campaign_chunk.apply_async

    def spy(args, **options):
        queued.append(list(args[1]))
        return real_apply_async(args, **options)

    monkeypatch.setattr(tasks.run_campaign_chunk, "apply_async", spy)

    # WHEN a lead starts it
    campaign = start_now(campaign, leo, django_capture_on_commit_callbacks)

    # THEN chunks of two websites, in id order, were queued and the campaign finished
    ids = sorted(s.pk for s in sites)
    assert queued == [ids[0:2], ids[2:4], ids[4:5]]
    assert campaign.status == CampaignStatus.FINISHED
    assert campaign.total_websites == 5 and campaign.finished_at is not None
    # one inspection per website, all done, with the worst answer
    worst = dict(campaign.inspections.values_list("website__name", "worst_status"))
    assert worst == {
        "bad-1": "fail_blocking",
        "fine-2": "pass",
        "meh-3": "fail_warning",
        "fine-4": "pass",
        "odd-5": "cannot_tell",
    }
    assert set(campaign.inspections.values_list("status", flat=True)) == {"done"}
    # one result per website and rule; passes keep no evidence, failures keep all of it
    assert RuleResult.objects.filter(campaign=campaign).count() == 10
    bad = RuleResult.objects.get(campaign=campaign, website=sites[0], rule_code="name_says_bad")
    assert (bad.status, bad.severity, bad.message) == ("fail", "blocking", "bad-1 is bad.")
    assert bad.evidence == {"name": "bad-1"} and bad.fields == ["website.name"]
    assert bad.tenant_id == sites[0].tenant_id and len(bad.input_hash) == 64
    passed = RuleResult.objects.get(campaign=campaign, website=sites[1], rule_code="always_passes")
    assert passed.evidence == {} and passed.rule_version == 3 and passed.severity == ""
    actions = list(
        AuditEvent.objects.filter(object_id=str(campaign.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["campaign.create", "campaign.finish", "campaign.start"]


def test_start_with_real_rules_stores_one_result_per_rule(leo, django_capture_on_commit_callbacks):
    # GIVEN a website and a campaign over every installed rule
    site = filed()
    campaign = do_create_campaign(name="Real", scope=Scope("websites", website_ids=(site.pk,)))

    # WHEN it runs
    campaign = start_now(campaign, leo, django_capture_on_commit_callbacks)

    # THEN every rule answered once
    assert campaign.status == CampaignStatus.FINISHED
    codes = list(RuleResult.objects.filter(campaign=campaign).values_list("rule_code", flat=True))
    assert sorted(codes) == sorted(rule.code for rule in all_rules())


def test_a_campaign_without_websites_finishes_at_once(leo, django_capture_on_commit_callbacks):
    campaign = do_create_campaign(name="Empty", scope=Scope("websites", website_ids=(424242,)))
    campaign = start_now(campaign, leo, django_capture_on_commit_callbacks)
    assert campaign.status == CampaignStatus.FINISHED and campaign.total_websites == 0


def test_duplicated_chunk_never_doubles_results(leo, test_rules):
    # GIVEN a running campaign whose websites were inspected once
    sites = [filed(name=n) for n in ("bad-a", "fine-b", "odd-c")]
    ids = [s.pk for s in sites]
    campaign = do_create_campaign(name="Dup", scope=Scope(), actor=leo)
    do_start_campaign(campaign, actor=leo)  # its start task is not run: chunks by hand
    tasks.create_inspections(campaign)
    tasks.run_campaign_chunk(campaign.pk, ids)
    first = sorted(
        RuleResult.objects.filter(campaign=campaign).values_list(
            "website_id", "rule_code", "status", "severity", "message", "evidence", "input_hash"
        )
    )

    # WHEN the same chunk is delivered again (its websites done: skipped) ...
    assert tasks.run_campaign_chunk(campaign.pk, ids) == 0
    # ... and once more after a worker died before marking them done
    WebsiteInspection.objects.filter(campaign=campaign).update(status=InspectionStatus.PENDING)
    assert tasks.run_campaign_chunk(campaign.pk, ids) == 3

    # THEN there is still one result per website and rule, with the same values
    again = sorted(
        RuleResult.objects.filter(campaign=campaign).values_list(
            "website_id", "rule_code", "status", "severity", "message", "evidence", "input_hash"
        )
    )
    assert len(first) == 6 and again == first


def test_cancelled_campaign_chunks_do_nothing(leo, test_rules):
    # GIVEN a running campaign with waiting inspections, then cancelled
    site = filed()
    campaign = do_create_campaign(name="Stop", scope=Scope(), actor=leo)
    do_start_campaign(campaign, actor=leo)
    tasks.create_inspections(campaign)
    do_cancel_campaign(campaign, actor=leo, reason="wrong network table")

    # WHEN its chunk and its start task arrive
    assert tasks.run_campaign_chunk(campaign.pk, [site.pk]) == 0
    assert tasks.start_campaign(campaign.pk) == 0

    # THEN nothing was inspected and the cancel was audited
    assert not RuleResult.objects.filter(campaign=campaign).exists()
    assert campaign.inspections.get().status == InspectionStatus.PENDING
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED
    assert AuditEvent.objects.get(action="campaign.cancel").reason == "wrong network table"
    with pytest.raises(CampaignError):
        do_cancel_campaign(campaign, actor=leo)
    with pytest.raises(CampaignError):
        do_start_campaign(campaign, actor=leo)


def test_finish_happens_once_and_only_when_all_chunks_are_queued(leo, test_rules):
    # GIVEN a running campaign whose only website was inspected, chunks not all queued
    site = filed()
    campaign = do_create_campaign(name="Once", scope=Scope(), actor=leo)
    do_start_campaign(campaign, actor=leo)
    tasks.create_inspections(campaign)
    tasks.run_campaign_chunk(campaign.pk, [site.pk])
    assert not tasks.finish_if_complete(campaign.pk)

    # WHEN the start task has queued every chunk and several chunks try to finish it
    Campaign.objects.filter(pk=campaign.pk).update(queued_at=timezone.now())
    answers = [tasks.finish_if_complete(campaign.pk) for _ in range(3)]

    # THEN exactly one finished it, with one audit row
    assert answers == [True, False, False]
    assert AuditEvent.objects.filter(action="campaign.finish").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_finishers_finish_once(leo):
    # GIVEN a running campaign with nothing left to inspect
    campaign = CampaignFactory()
    Campaign.objects.filter(pk=campaign.pk).update(status="running", queued_at="2026-01-01T00:00Z")
    barrier = threading.Barrier(6)
    answers = []

    def finisher():
        try:
            barrier.wait()
            answers.append(tasks.finish_if_complete(campaign.pk))
        finally:
            connection.close()

    # WHEN six chunks try to finish it at the same moment, each on its own connection
    threads = [threading.Thread(target=finisher) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # THEN exactly one did
    assert sorted(answers) == [False] * 5 + [True]
    assert AuditEvent.objects.filter(action="campaign.finish").count() == 1


def test_transient_database_error_is_retried(leo, test_rules, monkeypatch):
    # GIVEN a chunk whose first attempt loses its database connection
    site = filed(name="bad-x")
    campaign = do_create_campaign(name="Retry", scope=Scope(), actor=leo)
    do_start_campaign(campaign, actor=leo)
    tasks.create_inspections(campaign)
    real = tasks.inspect_chunk
    calls = []

    def flaky(*args):
        calls.append(args)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args)

    monkeypatch.setattr(tasks, "inspect_chunk", flaky)

    # WHEN the chunk runs
    tasks.run_campaign_chunk.apply((campaign.pk, [site.pk]), throw=False)

    # THEN it was retried and inspected the website once
    assert len(calls) == 2
    assert campaign.inspections.get().status == InspectionStatus.DONE
    assert RuleResult.objects.filter(campaign=campaign).count() == 2


def test_a_chunk_that_fails_for_good_counts_its_websites_as_failed(leo, test_rules, monkeypatch):
    # GIVEN a chunk that hits a bug (not a transient error)
    sites = [filed(), filed()]
    campaign = do_create_campaign(name="Bug", scope=Scope(), actor=leo)
    do_start_campaign(campaign, actor=leo)
    tasks.create_inspections(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(queued_at=timezone.now())

    def broken(*args):
        raise ValueError("a bug")

    monkeypatch.setattr(tasks, "inspect_chunk", broken)

    # WHEN it runs
    result = tasks.run_campaign_chunk.apply((campaign.pk, [s.pk for s in sites]), throw=False)

    # THEN it failed loud, its websites count as failed and the campaign still finishes
    assert result.failed()
    assert set(campaign.inspections.values_list("status", flat=True)) == {"failed"}
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED
    assert campaign_progress(campaign).failed == 2


def test_a_chunk_out_of_time_splits_in_halves(leo, test_rules, monkeypatch):
    # GIVEN a chunk of four websites that cannot be inspected in time as a whole
    sites = [filed() for _ in range(4)]
    campaign = do_create_campaign(name="Split", scope=Scope(), actor=leo)
    do_start_campaign(campaign, actor=leo)
    tasks.create_inspections(campaign)
    real = tasks.inspect_chunk
    sizes = []

    def slow_when_big(campaign_id, codes, ids):
        sizes.append(len(ids))
        if len(ids) > 2:
            raise SoftTimeLimitExceeded()
        return real(campaign_id, codes, ids)

    monkeypatch.setattr(tasks, "inspect_chunk", slow_when_big)

    # WHEN it runs
    tasks.run_campaign_chunk(campaign.pk, [s.pk for s in sites])

    # THEN its two halves were queued and inspected every website
    assert sizes == [4, 2, 2]
    assert set(campaign.inspections.values_list("status", flat=True)) == {"done"}


def test_website_gone_while_its_chunk_runs_counts_as_failed(leo, test_rules, monkeypatch):
    # GIVEN a chunk of two websites, one of which disappears before its snapshot loads
    kept, gone = filed(), filed()
    campaign = do_create_campaign(name="Gone", scope=Scope(), actor=leo)
    do_start_campaign(campaign, actor=leo)
    tasks.create_inspections(campaign)
    real = tasks.load_snapshots
    monkeypatch.setattr(tasks, "load_snapshots", lambda ids: real([kept.pk]))

    # WHEN the chunk runs
    tasks.run_campaign_chunk(campaign.pk, [kept.pk, gone.pk])

    # THEN the one loaded is inspected, the other counted as failed
    statuses = dict(campaign.inspections.values_list("website_id", "status"))
    assert statuses == {kept.pk: "done", gone.pk: "failed"}


# ---- recurring campaigns -------------------------------------------------------------------


def test_scheduled_campaign_runs_a_copy_and_never_stacks(
    leo, test_rules, django_capture_on_commit_callbacks
):
    # GIVEN a recurring template over one customer
    site = filed(name="bad-z")
    template = do_create_campaign(
        name="Weekly",
        scope=Scope("tenant", tenant_ids=(site.tenant_id,)),
        rule_codes=["name_says_bad"],
        actor=leo,
    )
    every_week, _ = IntervalSchedule.objects.get_or_create(every=7, period=IntervalSchedule.DAYS)
    template = do_make_recurring(template, every_week, actor=leo)
    assert template.schedule.task == "inspections.tasks.run_scheduled_campaign"
    with pytest.raises(CampaignError):
        do_start_campaign(template, actor=leo)

    # WHEN the schedule fires twice while the first copy is still running
    first = tasks.run_scheduled_campaign(template.pk)
    assert tasks.run_scheduled_campaign(template.pk) is None

    # THEN one copy exists, with the template's scope and rules; after it finished, a
    # new firing makes a second copy that runs to the end
    copy = Campaign.objects.get(pk=first)
    assert copy.template == template and copy.rule_codes == ["name_says_bad"]
    assert list(copy.scope_tenants.all()) == [site.tenant]
    Campaign.objects.filter(pk=first).update(status="finished")
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.run_scheduled_campaign(template.pk)
    second = Campaign.objects.get(pk=second)
    assert second.status == CampaignStatus.FINISHED
    assert second.results.get().status == "fail"


# ---- findings ------------------------------------------------------------------------------


def test_blocking_findings_stream_by_website_in_bounded_batches(
    leo, django_assert_num_queries, test_rules, django_capture_on_commit_callbacks
):
    # GIVEN a finished campaign: three websites with a blocking failure, one warning,
    # one cannot tell, one pass
    names = ["bad-1", "fine-2", "bad-3", "meh-4", "odd-5", "bad-6"]
    sites = {n: filed(name=n) for n in names}
    campaign = do_create_campaign(name="Find", scope=Scope(), actor=leo)
    campaign = start_now(campaign, leo, django_capture_on_commit_callbacks)
    # a second blocking result on one website, from another rule
    RuleResultFactory(campaign=campaign, website=sites["bad-3"], rule_code="zz_other")

    # WHEN the enforcement side reads its blocking findings two websites at a time
    with django_assert_num_queries(1 + 2 * 2 + 1):  # status, 2 batches × 2, the empty end
        findings = list(blocking_findings(campaign.pk, batch_size=2))

    # THEN it gets each website with its blocking results, in website-id order
    assert [(pk, [r.rule_code for r in rs]) for pk, rs in findings] == [
        (sites["bad-1"].pk, ["name_says_bad"]),
        (sites["bad-3"].pk, ["name_says_bad", "zz_other"]),
        (sites["bad-6"].pk, ["name_says_bad"]),
    ]
    assert [r.website_id for r in triage_results(campaign.pk)] == [sites["odd-5"].pk]


def test_findings_need_a_finished_campaign():
    campaign = CampaignFactory()
    with pytest.raises(CampaignNotFinished):
        list(blocking_findings(campaign.pk))


def test_progress_counts_per_rule(leo, test_rules, django_capture_on_commit_callbacks):
    for name in ("bad-1", "fine-2", "odd-3"):
        filed(name=name)
    campaign = do_create_campaign(name="Count", scope=Scope(), actor=leo)
    campaign = start_now(campaign, leo, django_capture_on_commit_callbacks)
    progress = campaign_progress(campaign, TEST_CODES)
    assert (progress.total, progress.done, progress.failed, progress.percent) == (3, 3, 0, 100)
    assert progress.rules["always_passes"]["pass"] == 3
    counts = progress.rules["name_says_bad"]
    assert (counts["pass"], counts["fail"], counts["cannot_tell"], counts["error"]) == (1, 1, 1, 0)
