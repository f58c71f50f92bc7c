"""Reading the matter list, the templates, rendered letters and commitments."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from educredit.accounts.models import Organisation
from educredit.commitments import letters
from educredit.commitments.choices import CommitmentSubjectCategory
from educredit.commitments.models import (
    Commitment,
    CommitmentTemplate,
    Matter,
    MatterListVersion,
    TemplateVersion,
)
from educredit.editions.selectors import edition_in_force
from educredit.subjects.models import Institution, Person


def matter_list_in_force(as_of: datetime.date | None = None) -> MatterListVersion | None:
    """The matter list edition in force on ``as_of`` (today by default)."""
    return edition_in_force(MatterListVersion, as_of)


def matters_in_force(as_of: datetime.date | None = None) -> QuerySet[Matter]:
    """The matters of the edition in force on ``as_of`` (none before the first)."""
    version = matter_list_in_force(as_of)
    if version is None:
        return Matter.objects.none()
    return version.matters.order_by("code")


def matter_in_force(code: str, as_of: datetime.date | None = None) -> Matter | None:
    """The matter with ``code`` in the edition in force on ``as_of``."""
    return matters_in_force(as_of).filter(code=code).first()


def matter_is_in_force(matter: Matter, as_of: datetime.date | None = None) -> bool:
    """Whether ``matter`` belongs to the edition in force on ``as_of`` (a matter of a retired
    or draft edition is not)."""
    version = matter_list_in_force(as_of)
    return version is not None and matter.version_id == version.pk


def template_for_matter(
    matter: Matter, as_of: datetime.date | None = None
) -> CommitmentTemplate | None:
    """The matter's template in the template edition in force on ``as_of``."""
    version = edition_in_force(TemplateVersion, as_of)
    if version is None:
        return None
    return version.templates.filter(code=matter.template_code).first()


def subject_identity(
    institution: Institution | None, person: Person | None
) -> tuple[str, str, str]:
    """(承诺人名称, 承诺人类别, 承诺人代码): a person's document number only masked."""
    if institution is not None:
        code = institution.uscc or institution.moe_code or ""
        return institution.name, CommitmentSubjectCategory.ORGANISATION, code
    if person is None:
        raise ValueError("a commitment has one subject")
    return person.name, CommitmentSubjectCategory.PERSON, person.id_number_masked


def letter_render(
    *,
    matter: Matter,
    template: CommitmentTemplate,
    institution: Institution | None,
    person: Person | None,
    accepting_organisation: Organisation,
    day: datetime.date,
) -> letters.RenderedLetter:
    """The notice and letter of ``template`` for a subject in ``matter`` on ``day``."""
    name, _category, code = subject_identity(institution, person)
    values = letters.LetterValues(
        subject_name=name,
        subject_code=code,
        matter_name=matter.name,
        accepting_body=accepting_organisation.name,
        signed_on=day,
        publication_type=matter.get_publication_type_display(),
        commitment_type=matter.get_commitment_type_display(),
    )
    texts = {field: getattr(template, field) for field, _zh, _en in letters.TEMPLATE_TEXT_FIELDS}
    return letters.render_letter(title=template.title, texts=texts, values=values)


def commitments_visible_to(user: Any) -> QuerySet[Commitment]:
    """Commitments accepted by the user's organisation or below it (none for anyone else)."""
    organisation = getattr(user, "organisation", None)
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return Commitment.objects.none()
    return Commitment.objects.filter(accepting_organisation__path__startswith=organisation.path)


def commitment_by_code(code: str) -> Commitment | None:
    """The commitment with this 承诺编码."""
    return Commitment.objects.filter(code=code).first()


def template_edition_of(as_of: datetime.date | None = None) -> TemplateVersion | None:
    """The template edition in force on ``as_of``."""
    return edition_in_force(TemplateVersion, as_of)
