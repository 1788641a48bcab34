"""Admin of filing data, one module per topic; importing them registers the admins."""

from filings.admin import applications, miit, parties, reference, websites

__all__ = ["applications", "miit", "parties", "reference", "websites"]
