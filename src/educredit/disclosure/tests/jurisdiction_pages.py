"""URL kwargs of the 双公示 pages (entry, quality) for the jurisdiction walk.

The walk (``accounts/tests/test_jurisdiction_walk.py``) discovers only modules named
``<app>/tests/jurisdiction.py``; the import pages register theirs there, and that module
should import this one (``from educredit.disclosure.tests import jurisdiction_pages``).

Today the pages take one object kwarg, ``org_id`` (the quality drill-down and its export),
which the accounts app already registers; the entry and check routes take none (their kind
is a fixed extra argument, not a URL group). A new kwarg of these pages is registered here.
"""

from __future__ import annotations

from educredit.testing.jurisdiction import JURISDICTION_FIXTURES

assert "org_id" in JURISDICTION_FIXTURES  # the quality drill-down relies on it
