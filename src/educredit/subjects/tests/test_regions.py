"""Place names and codes as import files give them → GB/T 2260 codes (core's reference data)."""

from __future__ import annotations

import pytest

from educredit.subjects import regions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("郑州市", "410100"),
        ("郑州", "410100"),
        ("河南省郑州市", "410100"),
        ("济源市", "419001"),
        ("中原区", "410102"),
        ("河南省", "410000"),
        ("410105", "410105"),
        ("999999", None),
        ("火星市", None),
    ],
)
def test_place_names_and_codes(text, code):
    assert regions.region_code_for(text) == code


def test_city_choices_name_every_city():
    choices = dict(regions.city_choices())
    assert len(choices) == 19  # the province, 17 cities and 济源
    assert (choices["410100"], choices["419001"]) == ("郑州市", "济源市")
    assert regions.region_name("410102") == "中原区"
