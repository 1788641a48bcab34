"""Benchmarks of the inspection engine (``python manage.py bench NAME``, see icpportal.bench)."""
