"""The letter a school reads in self-service before it signs, as the commitments tests need it."""

from __future__ import annotations

from typing import Any

from educredit.commitments.letters import RenderedLetter
from educredit.commitments.models import Matter
from educredit.commitments.selectors import letter_render, matter_in_force, template_for_matter
from educredit.core import clock


def shown_letter(school: Any, body: Any, code: str = "CN-MB-02") -> tuple[Matter, RenderedLetter]:
    """The matter in force and its letter rendered today for ``school`` and ``body``."""
    matter = matter_in_force(code)
    template = template_for_matter(matter) if matter is not None else None
    if matter is None or template is None:
        raise AssertionError(f"no matter {code} with a template in force")
    letter = letter_render(
        matter=matter,
        template=template,
        institution=school,
        person=None,
        accepting_organisation=body,
        day=clock.today(),
    )
    return matter, letter
