"""The compliance staff's API: bulk jobs on cases, inspection campaigns, and the case,
triage and findings queues."""
