"""``python manage.py bench NAME [options]``: run one benchmark, print one final JSON line."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from icpportal.bench import discover


class Command(BaseCommand):
    help = "Run a benchmark (it builds its own data) and print its figures as a JSON line."

    def add_arguments(self, parser):
        benchmarks = discover()
        subparsers = parser.add_subparsers(dest="benchmark", metavar="NAME", required=True)
        for name, module in sorted(benchmarks.items()):
            sub = subparsers.add_parser(name, help=getattr(module, "HELP", ""))
            module.add_arguments(sub)

    def handle(self, *args, **options):
        name = options["benchmark"]
        module = discover().get(name)
        if module is None:
            raise CommandError(f"No benchmark named {name!r}.")

        def report(text: str) -> None:
            self.stderr.write(text)
            sys.stderr.flush()

        figures = module.run(options, report)
        if not isinstance(figures, dict):
            raise CommandError(f"Benchmark {name!r} answered no figures.")
        self.stdout.write(json.dumps({"benchmark": name, **figures}, ensure_ascii=False))
