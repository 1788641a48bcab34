"""``manage.py seed_demo``: load the demo customers, staff, filings and materials.

Safe to run again: it brings the demo rows back to the dataset and creates no
duplicates. ``--write-zone [PATH]`` writes the demo DNS zone instead (by default to
``settings.DNS_ZONEFILE``) and leaves the database alone.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Count

from filings.demo import ACCOUNTS, DELIBERATE_PROBLEMS, zone
from filings.demo.dataset import PORTAL_URL
from icpportal.models import Tenant


class Command(BaseCommand):
    help = (
        "Load the demo data (two customers, compliance staff, ~50 filed websites, some "
        "with one deliberate problem per inspection rule). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--write-zone",
            nargs="?",
            const=str(settings.DNS_ZONEFILE),
            metavar="PATH",
            help="Write the demo DNS zone file (default: settings.DNS_ZONEFILE) and stop.",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help=(
                "Set the demo passwords again, even on users that already exist, and "
                "issue new recovery codes to the staff logins."
            ),
        )

    def handle(
        self, *args, write_zone: str | None = None, reset_passwords: bool = False, **options
    ):
        if write_zone:
            path = zone.write_zone(write_zone)
            self.stdout.write(self.style.SUCCESS(f"Wrote the demo DNS zone to {path}"))
            return

        from filings.demo.builder import seed_demo

        result = seed_demo(reset_passwords=reset_passwords)
        created, updated = sum(result.created.values()), sum(result.updated.values())
        unchanged = sum(result.unchanged.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready in {result.seconds:.1f} s: {created} rows created, "
                f"{updated} updated, {unchanged} already up to date."
            )
        )
        tenants = Tenant.objects.filter(slug__in=["alpha", "beta"]).annotate(
            n_entities=Count("entities", distinct=True),
            n_websites=Count("websites", distinct=True),
            n_domains=Count("domains", distinct=True),
        )
        for tenant in tenants:
            self.stdout.write(
                f"  {tenant.name}: {tenant.n_entities} entities, {tenant.n_websites} websites, "
                f"{tenant.n_domains} domains"
            )
        rules = len({code for code, _name, _description in DELIBERATE_PROBLEMS})
        self.stdout.write(
            f"  {len(DELIBERATE_PROBLEMS)} deliberate problems across {rules} inspection rules "
            "(filings.demo.DELIBERATE_PROBLEMS)"
        )
        self.warn_if_zone_stale()
        self.print_logins(result.second_factors)

    def warn_if_zone_stale(self) -> None:
        path = Path(settings.DNS_ZONEFILE)
        if settings.DNS_BACKEND != "zonefile":
            return
        if not path.exists() or path.read_text(encoding="utf-8") != zone.render_zone():
            self.stdout.write(
                self.style.WARNING(
                    f"The DNS zone file {path} does not match the demo data: "
                    "run `manage.py seed_demo --write-zone`."
                )
            )

    def print_logins(self, second_factors: dict[str, tuple[str, tuple[str, ...]]]) -> None:
        width = max(len(a.username) + len(a.password) for a in ACCOUNTS) + 3
        lines = [
            "",
            "=" * 72,
            f"  Open {PORTAL_URL} and sign in with a demo login:",
            "",
        ]
        for account in ACCOUNTS:
            lines.append(
                f"    {f'{account.username} / {account.password}':<{width}}  {account.role}"
            )
            if account.username in second_factors:
                secret, codes = second_factors[account.username]
                lines.append(f"      authenticator app secret: {secret}")
                issued = ", ".join(codes[:2]) or "shown at the first run (--reset-passwords: new)"
                lines.append(f"      recovery codes: {issued}")
        lines += [
            "",
            "  Staff confirm each login with the code of an authenticator app that holds",
            "  the secret above (added by hand), or with one of their recovery codes.",
            "=" * 72,
        ]
        self.stdout.write("\n".join(lines))
