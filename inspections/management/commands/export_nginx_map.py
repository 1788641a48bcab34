"""``python manage.py export_nginx_map DIR``: the gate's decisions as nginx maps."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from inspections.gate.nginx_map import ExportOptions, export_nginx_map


class Command(BaseCommand):
    help = (
        "Write the access gate's decisions as an nginx http map ($host) and stream map "
        "($ssl_preread_server_name), the interception pages and an example nginx.conf into "
        "DIR, each file atomically. Then: nginx -t && nginx -s reload"
    )

    def add_arguments(self, parser) -> None:
        defaults = ExportOptions()
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument("--http-listen", default=defaults.http_listen)
        parser.add_argument("--https-listen", default=defaults.https_listen)
        parser.add_argument(
            "--upstream", default=defaults.upstream, help="Where allowed HTTP requests go."
        )
        parser.add_argument(
            "--tls-upstream",
            default=defaults.tls_upstream,
            help="Where allowed TLS connections go (passed through by SNI).",
        )
        parser.add_argument(
            "--stream-module",
            default=defaults.stream_module,
            help="Path of the dynamic stream module to load ('' when nginx has it built in).",
        )

    def handle(self, *args, **options) -> None:
        export = ExportOptions(
            http_listen=options["http_listen"],
            https_listen=options["https_listen"],
            upstream=options["upstream"],
            tls_upstream=options["tls_upstream"],
            stream_module=options["stream_module"],
        )
        result = export_nginx_map(options["directory"], export, report=self.stderr.write)
        self.stdout.write(
            f"{result.hosts} hosts exported to {result.directory} in {result.seconds:.1f} s. "
            f"Check and reload: nginx -t && nginx -s reload"
        )
