"""Access rules for views: denied by default, every view declares who may use it.

Decorate each view with one rule. ``AccessPolicyMiddleware`` refuses any view that has none,
and a test walks the URL resolver to prove every route declares a rule.

    @access_public                 # the public portal, login page
    @access_staff()                # any signed-in staff user
    @access_staff(UserRole.ADMIN)  # staff holding one of these roles
    @access_subject                # a credit subject signed in to self-service (信用主体自助服务)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.http import HttpRequest

ACCESS_ATTR = "educredit_access_rule"

V = TypeVar("V", bound=Callable[..., Any])


@dataclass(frozen=True)
class AccessRule:
    """Who may reach a view: everyone, signed-in staff with any of ``roles``, or subjects."""

    public: bool = False
    roles: frozenset[str] = frozenset()
    subject: bool = False

    def allows(self, request: HttpRequest) -> bool:
        if self.public:
            return True
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return False
        if self.subject:
            return is_subject_user(user)
        if getattr(user, "organisation_id", None) is None:
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


def access_staff(*roles: str) -> Callable[[V], V]:
    """Signed-in staff with an organisation; with ``roles``, only holders of one of them."""

    def decorate(view: V) -> V:
        return _mark(view, AccessRule(roles=frozenset(roles)))

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
