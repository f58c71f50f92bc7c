"""Fixtures of the research-integrity tests: 郑州科技学院 (supervised by the city bureau, with
its own account), its research office's clerk and two researchers."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.integrity.research.tests import factories


@pytest.fixture
def university_and_account(city: Any) -> tuple[Any, Any]:
    return factories.university_with_account(supervisor=city, name="郑州科技学院", serial=8101)


@pytest.fixture
def university(university_and_account: tuple[Any, Any]) -> Any:
    return university_and_account[0]


@pytest.fixture
def research_clerk(university_and_account: tuple[Any, Any]) -> Any:
    """The university's research office clerk: enters its activities."""
    return factories.university_clerk(university_and_account[1], "zzkj.clerk")


@pytest.fixture
def professor(university: Any) -> Any:
    """陈教授, the responsible person of the university's projects."""
    return factories.researcher(university, "陈教授", 81)


@pytest.fixture
def lecturer(university: Any) -> Any:
    """刘讲师, another researcher of the university."""
    return factories.researcher(university, "刘讲师", 82)
