"""Access rules for views: denied by default, every view declares who may use it.

Decorate each view with one rule. ``AccessPolicyMiddleware`` refuses any view that has none,
and a test walks the URL resolver to prove every route declares a rule.

    @access_public                 # the public portal, login page
    @access_staff()                # any signed-in staff user
    @access_staff(UserRole.ADMIN)  # staff holding one of these roles
    @access_staff(UserRole.CLERK, powers=[Power.ADMINISTRATIVE_DECISIONS])
                                   # ... whose organisation also holds these powers
    @access_subject                # a credit subject signed in to self-service (信用主体自助服务)

A rule admits staff by role AND by what their organisation may decide: a school's clerk keeps
its teachers' and students' records but imposes no administrative penalty. ``KIND_POWERS`` is
the one table of which organisation kinds hold which power (ADR 0037); the workspace menu and
every action button ask the same rule (``web.navigation.url_if_available``), so a page never
offers what would answer 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.http import HttpRequest

from educredit.accounts.choices import OrganisationKind, Power

ACCESS_ATTR = "educredit_access_rule"

V = TypeVar("V", bound=Callable[..., Any])

# Education administrations (教育行政部门) and the bodies they supervise.
BUREAU_KINDS = frozenset(
    {
        OrganisationKind.PROVINCIAL_DEPARTMENT,
        OrganisationKind.CITY_BUREAU,
        OrganisationKind.COUNTY_BUREAU,
    }
)
INSTITUTION_KINDS = frozenset(OrganisationKind.values) - BUREAU_KINDS

_BUREAU_POWERS = frozenset(
    {Power.ADMINISTRATIVE_DECISIONS, Power.CREDIT_LISTS, Power.OBJECTIONS, Power.SUPERVISION}
)
# THE table: which kinds of organisation hold which power. Schools, universities and other
# institutions hold none: they keep their own people's records (the catalog says which items,
# ``CatalogItem.recorder_kinds``), review them and handle repairs of their own findings.
KIND_POWERS: dict[str, frozenset[str]] = {
    OrganisationKind.PROVINCIAL_DEPARTMENT: _BUREAU_POWERS | {Power.PROVINCIAL_OFFICE},
    OrganisationKind.CITY_BUREAU: _BUREAU_POWERS,
    OrganisationKind.COUNTY_BUREAU: _BUREAU_POWERS,
    **{kind: frozenset() for kind in INSTITUTION_KINDS},
}


def powers_of(organisation: Any) -> frozenset[str]:
    """The powers an organisation holds by its kind (none for no organisation)."""
    if organisation is None:
        return frozenset()
    return KIND_POWERS.get(str(organisation.kind), frozenset())


def kinds_with(power: str) -> frozenset[str]:
    """The organisation kinds that hold ``power``."""
    return frozenset(kind for kind, powers in KIND_POWERS.items() if power in powers)


def has_power(user: Any, power: str) -> bool:
    """Whether ``user``'s organisation holds ``power``."""
    return power in powers_of(getattr(user, "organisation", None))


@dataclass(frozen=True)
class AccessRule:
    """Who may reach a view: everyone, signed-in subjects, or signed-in staff holding any of
    ``roles`` (any role when empty) in an organisation holding every one of ``powers``."""

    public: bool = False
    roles: frozenset[str] = frozenset()
    subject: bool = False
    powers: frozenset[str] = frozenset()

    def allows(self, request: HttpRequest) -> bool:
        return self.allows_user(request.user)

    def allows_user(self, user: Any) -> bool:
        """The same decision for a user outside a request (tests, to-do counts)."""
        if self.public:
            return True
        if not user.is_authenticated or not user.is_active:
            return False
        if self.subject:
            return is_subject_user(user)
        if getattr(user, "organisation_id", None) is None:
            return False
        if self.powers and not self.powers <= powers_of(user.organisation):
            return False
        if not self.roles:
            return True
        return bool(user.has_role(*self.roles))


def _mark(view: V, rule: AccessRule) -> V:
    setattr(view, ACCESS_ATTR, rule)
    return view


def access_public(view: V) -> V:
    """Anyone, signed in or not, may use this view."""
    return _mark(view, AccessRule(public=True))


def access_staff(*roles: str, powers: Iterable[str] = ()) -> Callable[[V], V]:
    """Signed-in staff with an organisation; with ``roles``, only holders of one of them; with
    ``powers``, only in an organisation holding all of them (``KIND_POWERS``)."""
    rule = AccessRule(roles=frozenset(roles), powers=frozenset(powers))
    unknown = rule.powers - set(Power.values)
    if unknown:
        raise ValueError(f"unknown powers: {sorted(unknown)}")

    def decorate(view: V) -> V:
        return _mark(view, rule)

    return decorate


def access_subject(view: V) -> V:
    """A credit subject signed in to self-service; never staff (they have an organisation)."""
    return _mark(view, AccessRule(subject=True))


def is_subject_user(user: Any) -> bool:
    """Whether ``user`` signs in as a credit subject: no organisation, an active account."""
    if getattr(user, "organisation_id", None) is not None:
        return False
    account = getattr(user, "subject_account", None)
    return account is not None and account.is_active and account.activated_at is not None


def access_rule_of(view: Callable[..., Any]) -> AccessRule | None:
    """The rule a view declared (class-based views carry it on ``view_class`` too)."""
    rule = getattr(view, ACCESS_ATTR, None)
    if rule is None and hasattr(view, "view_class"):
        rule = getattr(view.view_class, ACCESS_ATTR, None)
    return rule
