"""The demo's directed and state-funded students: what a new user finds on the students'
integrity pages — the demo university's clerk has entered a directed medical student's and a
state-funded normal student's contracts; both graduates took up their posts last year, the
normal student's employer confirmed last year, the medical student's did not and the student
left the post, so the breach (refund, JY-XY-01 record) waits for the province's review; and
one integrity-education activity.

Idempotent like the rest of the demo: once the university has contracts, nothing is added.
"""

from __future__ import annotations

import datetime as dt

from educredit.accounts.models import User
from educredit.core import clock
from educredit.core.identifiers import resident_id_check_character
from educredit.integrity.students import services
from educredit.integrity.students.choices import ActivityKind, BreachGround, ContractProgramme
from educredit.integrity.students.models import TrainingContract
from educredit.subjects import services as subject_services
from educredit.subjects.choices import AffiliationRole, DocumentType
from educredit.subjects.models import Institution, Person

DEMO_ACTOR = "system:demo"
# (name, serial of the synthetic resident ID, programme, agreement number)
STUDENTS = (
    ("赵定向（演示）", 961, ContractProgramme.RURAL_MEDICAL, "DX-YX-2019-0001"),
    ("钱公费（演示）", 962, ContractProgramme.LOCAL_NORMAL, "GF-SF-2019-0001"),
)


def _student(university: Institution, name: str, serial: int) -> Person:
    first17 = f"410102{2001:04d}0301{serial:03d}"
    number = first17 + resident_id_check_character(first17)
    person = subject_services.person_register(
        actor=DEMO_ACTOR, document_type=DocumentType.RESIDENT_ID, id_number=number, name=name
    ).subject
    if not person.affiliations.filter(institution=university).exists():
        subject_services.affiliation_add(
            actor=DEMO_ACTOR, person=person, institution=university, role=AffiliationRole.STUDENT
        )
    return person


def demo_students(*, clerk: User, university: Institution) -> None:
    """Two contracts at the demo university, a confirmation, a breach waiting for review."""
    if TrainingContract.objects.filter(school=university).exists():
        return
    last_year = clock.today().year - 1
    contracts = []
    for name, serial, programme, number in STUDENTS:
        contract = services.training_contract_create(
            actor=clerk,
            person=_student(university, name, serial),
            school=university,
            programme=programme,
            agreement_number=number,
            signed_on=dt.date(last_year - 5, 9, 1),
            expected_graduation=dt.date(last_year, 7, 1),
            service_region_code="410102",
            tuition_received="25000",
            accommodation_received="6000",
            living_subsidy_received="20000",
        )
        contracts.append(
            services.training_contract_transition(
                actor=clerk,
                contract=contract,
                action="start_service",
                service_started_on=dt.date(last_year, 8, 20),
            )
        )
    medical, normal = contracts
    services.service_confirmation_record(
        actor=clerk,
        contract=normal,
        year=last_year,
        employer_name="中原区第一小学",
        employer_region_code="410102",
        confirmed_on=dt.date(last_year, 12, 15),
        confirmed_by="校长（演示）",
    )
    services.training_contract_breach(
        actor=clerk,
        contract=medical,
        ground=BreachGround.NOT_SERVING,
        found_on=min(clock.today(), dt.date(last_year + 1, 1, 10)),
        description="离开定向乡镇卫生院，未按协议服务（演示）",
    )
    services.integrity_activity_record(
        actor=clerk,
        school=university,
        held_on=dt.date(last_year, 11, 16),
        title="诚信考试主题教育（演示）",
        kind=ActivityKind.CLASS_MEETING,
        participants=180,
        organiser="学生工作处",
    )
