"""ASGI entry point (WSGI is preferred: see docs/architecture.md)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "educredit.settings")
application = get_asgi_application()
