"""CSV exports of the staff queues, with the filters on screen.

Rows stream from the database in chunks (``iterator(chunk_size=2000)``), so an export
of any size holds one chunk in memory. The file starts with a UTF-8 byte-order mark so
spreadsheet programs read Chinese text right. ID numbers and phones are masked, and
each export writes an audit row with who exported which queue under which filters.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from icpportal import audit
from icpportal.masking import mask_id_number, mask_phone, mask_text
from inspections.queues.base import active_filters

CHUNK_SIZE = 2000
BOM = "\ufeff"


class _Line:
    """A file-like object whose write() hands back the line the csv writer made."""

    def write(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class Export:
    """A queue's CSV: its file name, header and how one row becomes cells."""

    name: str
    header: list[str]
    cells: Callable[[object], list]


def _lines(export: Export, rows: Iterable) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([str(h) for h in export.header])
    for row in rows:
        yield writer.writerow(export.cells(row))


def csv_response(request: HttpRequest, export: Export, queryset: QuerySet) -> StreamingHttpResponse:
    """Stream ``queryset`` as ``export`` describes; one audit row for the export."""
    audit.record(
        "queue.export",
        request.user,
        actor=request.user,
        after={"queue": export.name, "filters": active_filters(request)},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        _lines(export, queryset.iterator(chunk_size=CHUNK_SIZE)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{export.name}-{stamp}.csv"'
    return response


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _website_cells(website, entity, tenant) -> list[str]:
    """The columns every queue ends its row with: whose website it is (masked)."""
    return [
        website.name,
        website.filing_number,
        entity.name,
        entity.filing_number,
        mask_id_number(entity.id_number),
        mask_phone(entity.office_phone),
        entity.province_id,
        tenant.name,
    ]


def case_cells(case) -> list:
    return [
        case.pk,
        case.get_state_display(),
        _when(case.deadline),
        _when(case.opened_at),
        *_website_cells(case.website, case.entity, case.tenant),
        case.failing,
        case.failing_rules,
        case.assignee.get_username() if case.assignee else "",
    ]


def triage_cells(result) -> list:
    website = result.website
    return [
        result.pk,
        result.campaign_id,
        result.rule_code,
        mask_text(result.message),
        _when(result.created_at),
        *_website_cells(website, website.entity, result.tenant),
    ]


def finding_cells(finding) -> list:
    case = finding.case
    return [
        finding.pk,
        case.pk,
        finding.rule_code,
        finding.severity,
        finding.get_status_display(),
        mask_text(finding.message),
        _when(finding.last_seen_at),
        *_website_cells(case.website, case.entity, finding.tenant),
    ]


_WEBSITE_HEADER = [
    _("Website"),
    _("Website filing number"),
    _("Entity"),
    _("Entity filing number"),
    _("ID number"),
    _("Office phone"),
    _("Province"),
    _("Customer"),
]

CASES = Export(
    name="cases",
    header=[
        _("Case"),
        _("State"),
        _("Deadline"),
        _("Opened"),
        *_WEBSITE_HEADER,
        _("Failing"),
        _("Failing rules"),
        _("Assignee"),
    ],
    cells=case_cells,
)
TRIAGE = Export(
    name="triage",
    header=[
        _("Result"),
        _("Campaign"),
        _("Rule"),
        _("Message"),
        _("Inspected"),
        *_WEBSITE_HEADER,
    ],
    cells=triage_cells,
)
FINDINGS = Export(
    name="findings",
    header=[
        _("Finding"),
        _("Case"),
        _("Rule"),
        _("Severity"),
        _("Status"),
        _("Message"),
        _("Last seen"),
        *_WEBSITE_HEADER,
    ],
    cells=finding_cells,
)
