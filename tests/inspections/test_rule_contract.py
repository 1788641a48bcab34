"""The rule contract: outcomes, rule classes, the registry and running rules safely."""

from __future__ import annotations

import datetime
import json
import logging

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from inspections.rules import base
from inspections.rules.base import (
    Outcome,
    Rule,
    RuleRegistry,
    Severity,
    Status,
    all_rules,
    get_rule,
    register,
    rules_for,
    run_rules,
)
from inspections.snapshot import Snapshot
from tests.factories import resident_id

AS_OF = datetime.date(2026, 6, 1)


class AlwaysPasses(Rule):
    code = "always_passes"
    version = 1
    title = gettext_lazy("Always passes")

    def check(self, snapshot):
        return self.passed({"website": snapshot.website.name})


class AlwaysFails(Rule):
    code = "always_fails"
    version = 2
    title = gettext_lazy("Always fails")
    lookups = frozenset({"dns"})

    def check(self, snapshot):
        return self.failed("broken", fields=("website.name",))


class Explodes(Rule):
    code = "explodes"
    version = 3
    title = gettext_lazy("Explodes")

    def check(self, snapshot):
        raise RuntimeError("boom")


class AnswersForAnother(Rule):
    code = "answers_for_another"
    version = 1
    title = gettext_lazy("Answers with another rule's code")

    def check(self, snapshot):
        return Outcome.passed("always_passes")


# ---- Outcome ------------------------------------------------------------------------


def test_a_blocking_failure_is_the_only_outcome_that_opens_a_case():
    # GIVEN one outcome of every kind
    outcomes = {
        "pass": Outcome.passed("r", evidence={"checked": 2}),
        "blocking": Outcome.failed("r", "bad", evidence={"x": 1}, fields=("entity.name",)),
        "warning": Outcome.failed("r", "meh", blocking=False),
        "cannot_tell": Outcome.cannot_tell("r", "redacted", fields=("domains.0.name",)),
        "error": Outcome.error("r", "timeout", evidence={"resolver": "192.0.2.53"}),
        "not_applicable": Outcome.not_applicable("r", "no domains"),
    }

    # THEN status and severity follow the constructor, and only the blocking failure
    # opens a case or blocks a submission
    assert outcomes["pass"].status == Status.PASS and outcomes["pass"].severity is None
    assert outcomes["blocking"].severity == Severity.BLOCKING
    assert outcomes["warning"].severity == Severity.WARNING
    assert outcomes["cannot_tell"].status == Status.CANNOT_TELL
    assert outcomes["error"].status == Status.ERROR
    assert outcomes["not_applicable"].message == "no domains"
    assert [k for k, o in outcomes.items() if o.opens_case] == ["blocking"]
    assert [k for k, o in outcomes.items() if o.is_blocking] == ["blocking"]
    assert outcomes["blocking"].fields == ("entity.name",)
    assert outcomes["cannot_tell"].fields == ("domains.0.name",)


def test_a_severity_goes_with_a_failure_only():
    with pytest.raises(ValueError, match="severity"):
        Outcome(Status.PASS, "r", severity=Severity.BLOCKING)
    with pytest.raises(ValueError, match="severity"):
        Outcome(Status.FAIL, "r", "no severity")


def test_the_message_is_translated_when_the_outcome_is_made():
    # GIVEN a translatable message (Django's own, so a catalogue exists), made in Chinese
    source = "This field is required."
    with translation.override("zh-hans"):
        chinese = gettext(source)
        outcome = Outcome.failed("r", gettext_lazy(source))
    assert chinese != source

    # WHEN read later in English THEN it stays in the language it was made in
    with translation.override("en"):
        assert outcome.message == chinese
    assert type(outcome.message) is str


def test_to_json_is_plain_json_and_reads_back():
    outcome = Outcome.failed(
        "domain_expiry", "expires soon", blocking=False, evidence={"days": 12}, fields=("d",)
    )

    data = outcome.to_json()

    assert json.loads(json.dumps(data)) == {
        "status": "fail",
        "severity": "warning",
        "code": "domain_expiry",
        "message": "expires soon",
        "evidence": {"days": 12},
        "fields": ["d"],
    }
    assert Outcome.from_json(data) == outcome


def test_evidence_that_is_not_json_is_refused():
    with pytest.raises(TypeError, match="plain JSON"):
        Outcome.passed("r", evidence={"expires_on": datetime.date(2027, 1, 1)})


def test_id_and_mobile_numbers_never_enter_evidence_in_clear():
    # GIVEN a rule that carelessly puts personal numbers into its evidence
    number = resident_id(7)
    outcome = Outcome.failed(
        "entity_identity",
        "mismatch",
        evidence={
            "id_number": number,
            "note": f"holder ID {number} does not match",
            "phones": ["+8613812345678"],
            "sha256": "012345678901234567abcdef",
        },
    )

    # THEN the stored evidence is masked, but digests are left alone
    text = json.dumps(outcome.to_json(), ensure_ascii=False)
    assert number not in text
    assert "13812345678" not in text
    assert outcome.evidence["id_number"] == number[:6] + "********" + number[-4:]
    assert outcome.evidence["phones"] == ["138****5678"]
    assert outcome.evidence["sha256"] == "012345678901234567abcdef"


# ---- Rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "complaint"),
    [
        ({"version": 1, "title": "T"}, "code"),
        ({"code": "Bad Code", "version": 1, "title": "T"}, "code"),
        ({"code": "no_version", "title": "T"}, "version"),
        ({"code": "no_title", "version": 1}, "title"),
        ({"code": "odd", "version": 1, "title": "T", "lookups": frozenset({"whois"})}, "lookups"),
    ],
)
def test_a_concrete_rule_without_its_identity_is_refused(attributes, complaint):
    with pytest.raises(TypeError, match=complaint):
        type("Incomplete", (Rule,), {**attributes, "check": lambda self, snapshot: None})


def test_an_abstract_intermediate_rule_needs_no_identity():
    # GIVEN a shared base for domain rules that leaves check() to its subclasses
    class DomainRule(Rule):
        lookups = frozenset({"dns"})

    # WHEN a concrete rule builds on it THEN it is accepted and inherits the look-ups
    class Expiry(DomainRule):
        code = "expiry"
        version = 1
        title = "Expiry"

        def check(self, snapshot):
            return self.passed()

    assert Expiry().lookups == frozenset({"dns"})
    assert repr(Expiry()) == "<Expiry expiry v1>"


# ---- registry -------------------------------------------------------------------------


def test_the_registry_keeps_registration_order_and_refuses_a_taken_code():
    # GIVEN a fresh registry with two rules
    registry = RuleRegistry()
    registry.register(AlwaysFails)
    registry.register(AlwaysPasses)

    # THEN they come back in registration order, by code, and a code is taken once
    assert [r.code for r in registry.all()] == ["always_fails", "always_passes"]
    assert isinstance(registry.get("always_passes"), AlwaysPasses)
    assert "always_fails" in registry and len(registry) == 2

    class Impostor(AlwaysPasses):
        pass

    with pytest.raises(ValueError, match="always_passes"):
        registry.register(Impostor)
    assert len(registry) == 2


def test_rules_are_selected_by_code_and_an_unknown_code_is_named():
    registry = RuleRegistry()
    registry.register(AlwaysPasses)
    registry.register(AlwaysFails)

    assert registry.select(None) == registry.all()
    # Registration order, whatever order the codes were asked in.
    assert [r.code for r in registry.select(["always_fails", "always_passes"])] == [
        "always_passes",
        "always_fails",
    ]
    with pytest.raises(KeyError, match="no_such_rule"):
        registry.select(["always_passes", "no_such_rule"])
    with pytest.raises(KeyError, match="no_such_rule"):
        registry.get("no_such_rule")


def test_the_module_functions_use_the_installation_registry(monkeypatch):
    # GIVEN the installation's registry swapped for a fresh one (restored afterwards)
    fresh = RuleRegistry()
    monkeypatch.setattr(base, "default_registry", fresh)

    # WHEN a rule is registered with the decorator
    decorated = register(AlwaysPasses)

    # THEN the module functions see it, and the class is left as it was
    assert decorated is AlwaysPasses
    assert [r.code for r in all_rules()] == ["always_passes"]
    assert isinstance(get_rule("always_passes"), AlwaysPasses)
    assert rules_for(None) == all_rules()
    with pytest.raises(KeyError, match="unknown_rule"):
        rules_for(["unknown_rule"])


# ---- run_rules ------------------------------------------------------------------------


def test_one_broken_rule_becomes_an_error_and_the_others_still_run(caplog):
    # GIVEN a rule that raises between two that work
    snapshot = Snapshot(as_of=AS_OF)
    rules = [AlwaysPasses(), Explodes(), AlwaysFails(), AnswersForAnother()]

    # WHEN they run
    with caplog.at_level(logging.ERROR, logger="inspections.rules.base"):
        outcomes = run_rules(snapshot, rules)

    # THEN every rule has an outcome, the broken ones an error naming the exception
    assert list(outcomes) == ["always_passes", "explodes", "always_fails", "answers_for_another"]
    assert outcomes["always_passes"].status == Status.PASS
    assert outcomes["always_fails"].opens_case
    assert outcomes["explodes"].status == Status.ERROR
    assert outcomes["explodes"].evidence == {"exception": "RuntimeError", "rule_version": 3}
    assert not outcomes["explodes"].opens_case
    assert outcomes["answers_for_another"].status == Status.ERROR
    assert outcomes["answers_for_another"].evidence["exception"] == "TypeError"
    # AND the failure is logged with its traceback
    logged = [r for r in caplog.records if "explodes" in r.getMessage()]
    assert logged and logged[0].exc_info[0] is RuntimeError


def test_a_worker_time_limit_is_not_swallowed():
    class Slow(AlwaysPasses):
        code = "slow"

        def check(self, snapshot):
            raise SoftTimeLimitExceeded()

    with pytest.raises(SoftTimeLimitExceeded):
        run_rules(Snapshot(as_of=AS_OF), [Slow(), AlwaysPasses()])


def test_run_rules_without_a_list_runs_every_registered_rule(monkeypatch):
    fresh = RuleRegistry()
    fresh.register(AlwaysPasses)
    monkeypatch.setattr(base, "default_registry", fresh)

    outcomes = run_rules(Snapshot(as_of=AS_OF))

    assert list(outcomes) == ["always_passes"]
