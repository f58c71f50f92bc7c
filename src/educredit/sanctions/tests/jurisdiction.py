"""Objects of the sanctions app for the jurisdiction walk (``testing/jurisdiction.py``)."""

from __future__ import annotations

from typing import Any

from educredit.accounts.models import Organisation
from educredit.audit.services import tree_head_seal
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
    tree_head_seal(actor="system:test")
    return answer.check_id


JURISDICTION_FIXTURES["check_id"] = _check_in
