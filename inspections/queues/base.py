"""The base of every queue filterset: Bootstrap-styled fields for the shared filter bar."""

from __future__ import annotations

import django_filters
from django import forms


class QueueFilterSet(django_filters.FilterSet):
    """A filterset whose form renders in the queue pages' filter bar as it is."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_queue_styled", False):
            for field in form.fields.values():
                for widget in getattr(field.widget, "widgets", [field.widget]):
                    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
                    widget.attrs.setdefault("class", f"{css} form-control-sm")
                    if isinstance(widget, forms.Select):
                        widget.attrs["class"] = "form-select form-select-sm"
            form._queue_styled = True
        return form
