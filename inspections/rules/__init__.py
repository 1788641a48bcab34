"""The rules of the special inspection, run by the workers and by the pre-submit self-check.

Import the contract from here::

    from inspections.rules import Outcome, Rule, register

A rule module registers its rules when imported; the modules are imported at the end
of this file, in the order the inspection report lists the rules.
"""

from inspections.rules.base import (
    KNOWN_LOOKUPS,
    Outcome,
    Rule,
    RuleRegistry,
    Severity,
    Status,
    all_rules,
    default_registry,
    get_rule,
    register,
    rules_for,
    run_rules,
)

__all__ = [
    "KNOWN_LOOKUPS",
    "Outcome",
    "Rule",
    "RuleRegistry",
    "Severity",
    "Status",
    "all_rules",
    "default_registry",
    "get_rule",
    "register",
    "rules_for",
    "run_rules",
]

# The rule modules, in the order the inspection report lists the rules; each registers
# its rule when imported (InspectionsConfig.ready imports them).
RULE_MODULES = (
    "entity_identity",
    "contact_reachability",
    "required_materials",
    "dns_ip_ownership",
    "domain_expiry",
    "domain_owner",
    "content_consistency",
    "access_provider",
)


def load_rule_modules() -> None:
    import importlib
    import importlib.util

    for name in RULE_MODULES:
        module = f"inspections.rules.{name}"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
