"""Rectification periods: read from the environment, the shortest rule wins."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from icpportal.env import envperiod, envperiodmap
from inspections.enforcement.periods import period_for


def test_periods_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("ICP_RECTIFICATION_PERIOD", "14c")
    monkeypatch.setenv("ICP_RECTIFICATION_PERIODS", "domain_expiry=7w, dns_ip_ownership=3c")
    assert envperiod("RECTIFICATION_PERIOD", "10w") == ("calendar", 14)
    assert envperiodmap("RECTIFICATION_PERIODS") == {
        "domain_expiry": ("working", 7),
        "dns_ip_ownership": ("calendar", 3),
    }


@pytest.mark.parametrize("value", ["10", "w", "0w", "10x", "-3c"])
def test_a_bad_period_stops_start_up_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("ICP_RECTIFICATION_PERIOD", value)
    with pytest.raises(ImproperlyConfigured, match="ICP_RECTIFICATION_PERIOD"):
        envperiod("RECTIFICATION_PERIOD", "10w")


def test_a_bad_pair_stops_start_up(monkeypatch):
    monkeypatch.setenv("ICP_RECTIFICATION_PERIODS", "domain_expiry")
    with pytest.raises(ImproperlyConfigured, match="ICP_RECTIFICATION_PERIODS"):
        envperiodmap("RECTIFICATION_PERIODS")


def test_a_case_takes_the_shortest_period_of_its_rules(settings):
    settings.RECTIFICATION_PERIOD = ("working", 10)
    settings.RECTIFICATION_PERIODS = {
        "domain_expiry": ("calendar", 7),
        "entity_identity": ("working", 3),
    }
    assert period_for(["domain_owner"]) == ("working", 10)
    assert period_for(["domain_owner", "domain_expiry"]) == ("calendar", 7)
    # 3 working days are shorter than 7 calendar days
    assert period_for(["domain_expiry", "entity_identity"]) == ("working", 3)
