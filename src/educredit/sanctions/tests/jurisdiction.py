"""Objects of the sanctions app for the jurisdiction walk (``testing/jurisdiction.py``)."""

from __future__ import annotations

from typing import Any

from educredit.accounts.models import Organisation
from educredit.audit.sequencer import sequence_pending
from educredit.sanctions import screening, services
from educredit.sanctions.models import Scenario
from educredit.subjects.tests.factories import uscc
from educredit.testing.factories import make_api_client
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES


def _check_in(county: Organisation) -> Any:
    """A check run by a business system of ``county``, sealed so that its proof exists."""
    if not Scenario.objects.filter(code="walk_scenario").exists():
        services.scenario_create(
            actor="system:test", code="walk_scenario", name="巡检场景", name_en="Walk scenario"
        )
    caller, _key = make_api_client(
        organisation=county, name="walk checker", scopes=[screening.CHECK_SCOPE]
    )
    answer = screening.screen(
        caller=caller,
        identifier=screening.identifier_from(uscc=uscc(424242)),
        scenario="walk_scenario",
        reference="walk",
    )
    sequence_pending(actor="system:test")
    return answer.check_id


JURISDICTION_FIXTURES["check_id"] = _check_in


def _bulk_check_in(county: Organisation) -> Any:
    """A finished bulk check of a business system of ``county``, with its result file."""
    from django.core.files.base import ContentFile

    from educredit.core.clock import today
    from educredit.sanctions.models import BulkCheckRun
    from educredit.subjects.choices import ImportStatus

    caller, _key = make_api_client(
        organisation=county, name="walk bulk checker", scopes=[screening.CHECK_SCOPE]
    )
    run = BulkCheckRun(
        client=caller,
        organisation=county,
        scenario="walk_scenario",
        reference="walk",
        as_of=today(),
        status=ImportStatus.FINISHED,
    )
    # One fixed name, overwritten by each walk, so walks leave no files behind them.
    run.result.save("walk.csv", ContentFile(b"row,verdict\n"), save=False)
    run.save()
    return run.public_id


JURISDICTION_FIXTURES["bulk_check_id"] = _bulk_check_in
