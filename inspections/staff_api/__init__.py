"""The staff API: the case, triage and findings queues for compliance staff."""
