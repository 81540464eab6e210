"""Template helpers of the case summary."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping|get_item:key`` (templates cannot index a dict by a variable)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
