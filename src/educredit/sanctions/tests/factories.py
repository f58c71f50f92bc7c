"""Test helpers of the measure list: the shipped list and drafts, through the services."""

from __future__ import annotations

from educredit.sanctions import services
from educredit.sanctions.models import MeasureListVersion
from educredit.subjects.tests.factories import resident_id

TEST_ACTOR = "system:test"
TEACHER_NUMBER = resident_id(71)  # the teacher of the ``teacher`` fixture


def shipped_measure_list() -> MeasureListVersion:
    """Version 1 as shipped, published, with the shipped catalog and scenarios."""
    return services.measure_list_seed(actor=TEST_ACTOR)


def make_draft() -> MeasureListVersion:
    """A draft copied from the version published now."""
    return services.measure_list_version_draft(
        actor=TEST_ACTOR, from_version=shipped_measure_list()
    )
