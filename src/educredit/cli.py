"""The ``educredit`` command: Django's management commands under the product's name.

``educredit migrate``, ``educredit demo``, ``educredit audit verify``, ``educredit synth`` …
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "educredit.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["educredit", *sys.argv[1:]])


if __name__ == "__main__":
    main()
