"""Set-based writes of escalation: one ``INSERT … SELECT`` per kind of row and step.

For a batch of case ids, the audit rows, the outbox rows (in-app, e-mail and SMS to
the owners and the person in charge) and the access decisions are written by the
database from the case rows themselves, so a batch of thousands of cases costs a
handful of statements and no Python objects per row. The texts are the same as the
per-case path of ``notices`` (rendered with placeholders the SQL fills in).
"""

from __future__ import annotations

import json
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from icpportal import audit
from icpportal.models import AuditEvent, Membership
from inspections.enforcement import notices
from inspections.models import AccessDecision, RectificationCase
from notifications.events import render
from notifications.models import Notification

CASES = RectificationCase._meta.db_table
PLACEHOLDERS = ("case", "site", "deadline", "cancel_on", "provider", "reason")


def _execute(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def insert_audit(
    case_ids: list[int], action: str, *, before_state: str | None, after: dict, reason: str = ""
) -> None:
    """One system audit row per case; ``before`` holds the state before the step."""
    if not case_ids:
        return
    label = RectificationCase._meta.label_lower
    before = "jsonb_build_object('state', %s::text)" if before_state is not None else "'{}'::jsonb"
    params: list = [audit.SYSTEM, action, label]
    if before_state is not None:
        params.append(before_state)
    params += [json.dumps(after), reason, case_ids]
    _execute(
        f"""
        INSERT INTO {AuditEvent._meta.db_table}
            (at, actor_id, actor_label, tenant_id, action, object_type, object_id,
             object_repr, before, after, reason)
        SELECT now(), NULL, %s, c.tenant_id, %s, %s, c.id::text,
               left('#' || c.id || ' ' || w.name, 200), {before}, %s::jsonb, %s
        FROM {CASES} c JOIN filings_website w ON w.id = c.website_id
        WHERE c.id = ANY(%s)
        ORDER BY c.id
        """,  # noqa: S608 (table names from model metadata; values are parameters)
        params,
    )


def _local(column: str) -> str:
    return f"to_char(({column}) AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI')"


def _filled(template: str) -> str:
    """SQL that fills the placeholders of a rendered template from the case row."""
    sql = "%s"
    for name in PLACEHOLDERS:
        sql = f"replace({sql}, '{{{name}}}', ctx->>'{name}')"
    return sql


def insert_notices(case_ids: list[int], event: str, *, now: datetime) -> None:
    """The outbox rows of ``event`` for every case, deduplicated per deadline.

    In-app and e-mail to every active owner of the customer; SMS (for SMS events) and
    e-mail to the website head, unless an owner has that e-mail address already.
    """
    if not case_ids:
        return
    tz = settings.TIME_ZONE
    grace = settings.ENFORCEMENT_CANCEL_GRACE_DAYS
    language = settings.LANGUAGE_CODE
    placeholder_context = {name: "{" + name + "}" for name in PLACEHOLDERS}
    rendered = render(event, placeholder_context, language)
    users = get_user_model()._meta.db_table
    memberships = Membership._meta.db_table
    table = Notification._meta.db_table
    queued, sent = Notification.Status.QUEUED, Notification.Status.SENT
    cases_cte = f"""
        WITH cases AS (
            SELECT c.id, c.tenant_id, w.head_id,
                   'case:' || c.id || ':' || %s || ':'
                       || extract(epoch FROM c.deadline)::bigint AS dedup,
                   jsonb_build_object(
                       'case', '#' || c.id, 'site', w.name,
                       'deadline', {_local("c.deadline")},
                       'cancel_on', {_local(f"c.deadline + interval '{int(grace)} days'")},
                       'provider', %s::text, 'reason', ''
                   ) AS ctx
            FROM {CASES} c JOIN filings_website w ON w.id = c.website_id
            WHERE c.id = ANY(%s)
        ), owners AS (
            SELECT m.tenant_id, u.id AS user_id, u.email
            FROM {memberships} m JOIN {users} u ON u.id = m.user_id
            WHERE m.role = %s AND u.is_active
              AND m.tenant_id IN (SELECT tenant_id FROM cases)
        )
    """  # noqa: S608 (table names and settings only; values are parameters)
    cte_params = [event, tz, tz, settings.PROVIDER_NAME, case_ids, Membership.Role.OWNER]
    columns = """(channel, tenant_id, recipient_user_id, recipient_address, template_key,
                  context, secret_context, language, status, attempts, last_error, dedup_key,
                  provider_message_id, created_at, next_attempt_at, sent_at, subject, body)"""
    selects = [
        # In-app to each owner: delivered by being written.
        (
            f"""SELECT 'in_app', cases.tenant_id, owners.user_id, '', %s, ctx, '', %s, %s, 0, '',
                   dedup || ':in_app:' || owners.user_id, '', %s, %s, %s,
                   left({_filled(rendered.subject)}, 200), {_filled(rendered.body)}
                FROM cases JOIN owners ON owners.tenant_id = cases.tenant_id""",  # noqa: S608
            [event, language, sent, now, now, now, rendered.subject, rendered.body],
        ),
        # E-mail to each owner with an address.
        (
            """SELECT 'email', cases.tenant_id, owners.user_id, owners.email, %s, ctx, '', %s,
                   %s, 0, '', left(dedup || ':email:' || owners.email, 200), '', %s, %s, NULL,
                   '', ''
                FROM cases JOIN owners ON owners.tenant_id = cases.tenant_id
                WHERE owners.email <> ''""",
            [event, language, queued, now, now],
        ),
        # E-mail to the person in charge, unless an owner has the same address.
        (
            """SELECT 'email', cases.tenant_id, NULL, p.email, %s, ctx, '', %s, %s, 0, '',
                   left(dedup || ':email:' || p.email, 200), '', %s, %s, NULL, '', ''
                FROM cases JOIN filings_person p ON p.id = cases.head_id
                WHERE p.email <> '' AND NOT EXISTS (
                    SELECT 1 FROM owners
                    WHERE owners.tenant_id = cases.tenant_id AND owners.email = p.email)""",
            [event, language, queued, now, now],
        ),
    ]
    if event in notices.SMS_EVENTS:
        selects.append(
            (
                """SELECT 'sms', cases.tenant_id, NULL, p.mobile, %s, ctx, '', %s, %s, 0, '',
                       left(dedup || ':sms:' || p.mobile, 200), '', %s, %s, NULL, '', ''
                    FROM cases JOIN filings_person p ON p.id = cases.head_id
                    WHERE p.mobile <> ''""",
                [event, language, queued, now, now],
            )
        )
    # One statement: the cases and owners are read once for every channel.
    union = " UNION ALL ".join(select for select, _ in selects)
    params = [value for _, select_params in selects for value in select_params]
    _execute(
        f"{cases_cte} INSERT INTO {table} {columns} {union} ON CONFLICT (dedup_key) DO NOTHING",
        cte_params + params,
    )


def upsert_decisions(case_ids: list[int], state: str, reason: str) -> list[str]:
    """The decision of every active domain of each case's website; answers the hosts."""
    if not case_ids:
        return []
    rows = _execute(
        f"""
        INSERT INTO {AccessDecision._meta.db_table}
            (host, state, reason, case_id, website_id, tenant_id, updated_at)
        SELECT d.name, %s, %s, c.id, c.website_id, c.tenant_id, now()
        FROM {CASES} c JOIN filings_domain d ON d.website_id = c.website_id AND d.is_active
        WHERE c.id = ANY(%s)
        ORDER BY d.name
        ON CONFLICT (host) DO UPDATE SET
            state = EXCLUDED.state, reason = EXCLUDED.reason, case_id = EXCLUDED.case_id,
            website_id = EXCLUDED.website_id, tenant_id = EXCLUDED.tenant_id,
            updated_at = EXCLUDED.updated_at
        RETURNING host
        """,  # noqa: S608 (table name from model metadata; values are parameters)
        [state, reason[:200], case_ids],
    )
    return [host for (host,) in rows]
