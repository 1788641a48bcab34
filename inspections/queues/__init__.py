"""The staff work queues: cases, triage and findings, each a queryset plus its filters.

Pages, the staff API and CSV exports read the same querysets and filtersets, so a
filter means the same wherever staff use it.
"""
