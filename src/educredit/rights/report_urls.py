"""Routes of the report pages: staff (/rights/), self-service (/self/), public (/verify/)."""

from django.urls import URLPattern

staff_patterns: list[URLPattern] = []
self_patterns: list[URLPattern] = []
public_patterns: list[URLPattern] = []
