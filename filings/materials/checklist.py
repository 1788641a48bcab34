"""Which materials an application needs, and which of them are already there.

The list comes from the required-materials inspection rule run on the application's
draft (``MaterialRequirement`` rows for the kind, entity type and province, with
their conditions decided by the rule), so the checklist the customer works through
and the pre-submit self-check never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from filings.choices import MaterialKind
from filings.models import Application, Material, MaterialRequirement
from inspections.rules import get_rule
from inspections.snapshot import snapshot_from_application

K = MaterialKind
# Each head needs their own copy of these (as the rule asks).
_PER_HEAD = frozenset({K.HEAD_ID_FRONT, K.HEAD_ID_BACK})
RULE_CODE = "required_materials"


@dataclass(frozen=True)
class ChecklistItem:
    """One required document: the requirement, the file on hand (or None), and what
    the self-check says about it. ``head`` names the person an ID copy is for."""

    requirement: MaterialRequirement
    material: Material | None
    head: str = ""
    problems: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return self.requirement.material_kind

    @property
    def label(self) -> str:
        return str(K(self.kind).label)


def _requirement_rows(application: Application, listed: list[dict]) -> dict[str, list]:
    rows = MaterialRequirement.objects.filter(application_kind=application.kind).order_by(
        "material_kind", "province_id", "condition", "entity_type", "pk"
    )
    wanted = {
        (item["kind"], item["condition"], item.get("province") or "")
        for item in listed
        if item.get("applies")
    }
    by_kind: dict[str, list[MaterialRequirement]] = {}
    for row in rows:
        if (row.material_kind, row.condition, row.province_id or "") in wanted:
            by_kind.setdefault(row.material_kind, []).append(row)
    return by_kind


def _heads(snapshot) -> list[tuple[str, object, str]]:
    """(name, person id, id-hash) of the entity head and, if another person, the website head."""
    entity_head, website_head = snapshot.entity_head, snapshot.website_head
    heads = [(entity_head.name, entity_head.id, entity_head.id_number_hash)]
    same = (entity_head.id and entity_head.id == website_head.id) or (
        entity_head.id_number_hash and entity_head.id_number_hash == website_head.id_number_hash
    )
    if not same:
        heads.append((website_head.name, website_head.id, website_head.id_number_hash))
    return heads


def _normal(name: str) -> str:
    return "".join((name or "").split()).casefold()


def _for_heads(
    requirement: MaterialRequirement, files: list[Material], heads, problems
) -> list[ChecklistItem]:
    """One item per head; a file goes to the head it belongs to or whose name it bears."""
    pool = list(files)
    chosen: list[Material | None] = []
    for name, person_id, _hash in heads:
        match = next((m for m in pool if person_id and m.person_id == person_id), None)
        match = match or next(
            (m for m in pool if m.person_id is None and _normal(m.holder_name) == _normal(name)),
            None,
        )
        if match is not None:
            pool.remove(match)
        chosen.append(match)
    # Files whose holder matches nobody still fill the heads left without one.
    for index, material in enumerate(chosen):
        if material is None and pool:
            chosen[index] = pool.pop(0)
    return [
        ChecklistItem(requirement, material, head=name, problems=problems)
        for (name, _id, _hash), material in zip(heads, chosen, strict=True)
    ]


def checklist(application: Application) -> list[ChecklistItem]:
    """The documents ``application`` needs, in a stable order, each with its file."""
    snapshot = snapshot_from_application(application)
    outcome = get_rule(RULE_CODE).check(snapshot)
    evidence = outcome.evidence or {}
    by_kind = _requirement_rows(application, list(evidence.get("requirements", ())))
    if not by_kind:
        return []
    # The files the rule judged: the newest of each kind that sits where it belongs.
    judged_ids = {m["id"] for m in evidence.get("materials", ()) if m.get("id")}
    files = Material.objects.filter(pk__in=judged_ids).order_by("-uploaded_at", "-pk")
    newest_first: dict[str, list[Material]] = {}
    for material in files:
        newest_first.setdefault(material.kind, []).append(material)
    problems: dict[str, list[str]] = {}
    for problem in evidence.get("problems", ()):
        kind = (problem.get("field") or "").removeprefix("materials.")
        problems.setdefault(kind, []).append(problem.get("message", ""))
    heads = _heads(snapshot)
    items: list[ChecklistItem] = []
    for kind in sorted(by_kind, key=lambda k: K.values.index(k) if k in K.values else 99):
        requirement = by_kind[kind][0]
        found = tuple(problems.get(kind, ()))
        kind_files = newest_first.get(kind, [])
        if kind in _PER_HEAD:
            items += _for_heads(requirement, kind_files, heads, found)
        else:
            newest = kind_files[0] if kind_files else None
            items.append(ChecklistItem(requirement, newest, problems=found))
    return items


def required_materials(
    application: Application,
) -> list[tuple[MaterialRequirement, Material | None]]:
    """Each required document of ``application`` with the file present for it, or None.

    ID copies appear once per head when the entity head and the website head are two
    people. Built on :func:`checklist`, which also says what the self-check found.
    """
    return [(item.requirement, item.material) for item in checklist(application)]
