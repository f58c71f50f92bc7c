"""WSGI entry point (production serves Django through WSGI: gunicorn or granian)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "educredit.settings")
application = get_wsgi_application()
