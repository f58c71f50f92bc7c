"""Reads of organisations, users and API clients, always scoped by the reader's jurisdiction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from educredit.accounts.choices import OrganisationKind
from educredit.accounts.models import ApiClient, Organisation, RoleGrant, User


def _as_uuid(public_id: Any) -> uuid.UUID:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc


def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    """The reader's organisation and everything below it."""
    return Organisation.objects.visible_to(user)


def users_visible_to(user: Any) -> QuerySet[User]:
    """Users of the reader's organisation and of every organisation below it."""
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return User.objects.none()
    return User.objects.filter(organisation__path__startswith=user.organisation.path)


def api_clients_visible_to(user: Any) -> QuerySet[ApiClient]:
    """API clients registered for organisations within the reader's jurisdiction."""
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return ApiClient.objects.none()
    return ApiClient.objects.filter(organisation__path__startswith=user.organisation.path)


def access_organisation_for_user(user: Any, public_id: Any) -> Organisation:
    """One organisation by public id, or 404 whether it is missing or out of jurisdiction."""
    try:
        return organisations_visible_to(user).get(public_id=_as_uuid(public_id))
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def access_user_for_user(user: Any, public_id: Any) -> User:
    """One user by public id, or 404 whether missing or out of jurisdiction."""
    active_grants = RoleGrant.objects.filter(revoked_at__isnull=True)
    try:
        return (
            users_visible_to(user)
            .select_related("organisation")
            .prefetch_related(Prefetch("role_grants", queryset=active_grants))
            .get(public_id=_as_uuid(public_id))
        )
    except User.DoesNotExist as exc:
        raise Http404 from exc


def access_api_client_for_user(user: Any, public_id: Any) -> ApiClient:
    """One API client by public id, or 404 whether missing or out of jurisdiction."""
    try:
        return (
            api_clients_visible_to(user)
            .select_related("organisation")
            .get(public_id=_as_uuid(public_id))
        )
    except ApiClient.DoesNotExist as exc:
        raise Http404 from exc


def organisation_ancestors(organisation: Organisation) -> list[Organisation]:
    """The organisations above this one, root first (read from the materialised path)."""
    ids = [int(part) for part in organisation.path.strip("/").split("/")[:-1]]
    by_id = {org.pk: org for org in Organisation.objects.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


@dataclass
class OrganisationNode:
    """One organisation in the jurisdiction tree, with its counts and children."""

    organisation: Organisation
    user_count: int
    children: list[OrganisationNode] = field(default_factory=list)

    @property
    def total_users(self) -> int:
        return self.user_count + sum(child.total_users for child in self.children)


def organisation_tree_for(user: Any) -> list[OrganisationNode]:
    """The reader's jurisdiction as a tree (one query), each node with its active-user count."""
    organisations = organisations_visible_to(user).annotate(
        user_count=Count("users", filter=Q(users__is_active=True))
    )
    nodes: dict[int, OrganisationNode] = {}
    roots: list[OrganisationNode] = []
    # Ordered by materialised path, so a parent always comes before its children.
    for organisation in organisations.order_by("path"):
        node = OrganisationNode(organisation, organisation.user_count)
        nodes[organisation.pk] = node
        parent = nodes.get(organisation.parent_id) if organisation.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    _sort_nodes(roots)
    return roots


def _sort_nodes(nodes: list[OrganisationNode]) -> None:
    """Bureaus first, then by name, at every level."""
    order = {kind: index for index, kind in enumerate(OrganisationKind.values)}
    nodes.sort(key=lambda node: (order.get(node.organisation.kind, 99), node.organisation.name))
    for node in nodes:
        _sort_nodes(node.children)
