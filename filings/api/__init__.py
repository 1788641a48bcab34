"""The customer REST API of filings: entities, persons, websites, domains,
applications with their transitions, and materials. Every queryset is the caller's
tenant's (``icpportal.api.TenantScopedViewSet``); ID numbers and phones are masked."""
