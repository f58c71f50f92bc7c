"""The figures of directed and state-funded students' contracts, as named constants.

Source: ``domain-rules.md`` §6.7. Each is flagged for the provincial office to confirm where the
reference gives it from one province's practice only.
"""

from __future__ import annotations

from decimal import Decimal

from educredit.integrity.students.choices import ContractProgramme, RefundRule

# §6.7: 公费师范生 serve at least 6 years; 农村订单定向医学生 serve 6 years at 基层医疗卫生机构.
SERVICE_YEARS_DEFAULT = 6

# §6.7 [V]: a 公费师范生 in breach refunds what was received and pays 违约金 of 50 % of it.
NORMAL_PENALTY_RATE = Decimal("0.50")
# §6.7: for 农村订单定向医学生 the reference names 违约金 only in parentheses (a province's
# rule): none unless the contract states a rate. To confirm with the provincial office.
MEDICAL_PENALTY_RATE = Decimal("0")
OTHER_PENALTY_RATE = Decimal("0")

DEFAULT_PENALTY_RATE: dict[str, Decimal] = {
    ContractProgramme.NATIONAL_NORMAL: NORMAL_PENALTY_RATE,
    ContractProgramme.LOCAL_NORMAL: NORMAL_PENALTY_RATE,
    ContractProgramme.RURAL_MEDICAL: MEDICAL_PENALTY_RATE,
    ContractProgramme.OTHER_DIRECTED: OTHER_PENALTY_RATE,
}
PENALTY_RATE_MIN = Decimal("0")
PENALTY_RATE_MAX = Decimal("1")

# §6.7: full refund is the national rule; Shandong's pro-rata refund for the unserved years
# (16.6 % a year of six) is a provincial choice kept as ``RefundRule.PRO_RATA_UNSERVED``.
# [U] Henan's choice is for the provincial office to confirm.
DEFAULT_REFUND_RULE = RefundRule.FULL

CENT = Decimal("0.01")
