"""The REST API's shared machinery: token and session authentication, permissions,
throttles, pagination and the tenant-scoped base viewsets every app's ``api/`` uses.

The base viewsets are loaded on first use: DRF imports the authentication class
(a module of this package) while it defines its own views, so this package must
not import DRF's views itself.
"""

__all__ = ["TenantScopedViewSet", "TenantScopedViewSetMixin"]


def __getattr__(name: str):
    if name in __all__:
        from icpportal.api import viewsets

        return getattr(viewsets, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
