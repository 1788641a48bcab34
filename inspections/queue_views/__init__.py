"""Staff work queues: case assignment, the triage and findings queues, CSV exports."""
