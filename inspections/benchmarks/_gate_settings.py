"""Settings of the gunicorn that ``bench gate`` starts: the portal's own (production,
from the ICP_* environment the benchmark sets) plus a hello-world page to compare with."""

from icpportal.settings import *  # noqa: F403

ROOT_URLCONF = "inspections.benchmarks._gate_urls"
