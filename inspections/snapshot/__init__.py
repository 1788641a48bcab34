"""Everything the inspection rules know about one website (see ``parts``), built from
live rows in bulk (``live``) or from an application's payload (``application``)."""

from inspections.snapshot.application import snapshot_from_application
from inspections.snapshot.live import load_snapshots
from inspections.snapshot.parts import (
    DomainSnapshot,
    EntitySnapshot,
    MaterialRequirementSnapshot,
    MaterialSnapshot,
    PersonSnapshot,
    PreApprovalSnapshot,
    ProvinceSnapshot,
    RegistrySnapshot,
    Snapshot,
    WebsiteSnapshot,
    input_hashes,
)

__all__ = [
    "DomainSnapshot",
    "EntitySnapshot",
    "MaterialRequirementSnapshot",
    "MaterialSnapshot",
    "PersonSnapshot",
    "PreApprovalSnapshot",
    "ProvinceSnapshot",
    "RegistrySnapshot",
    "Snapshot",
    "WebsiteSnapshot",
    "input_hashes",
    "load_snapshots",
    "snapshot_from_application",
]
