"""Query lookups the ORM lacks.

``AnyOf(F("uscc"), values)`` is ``uscc IN (values)``, except that PostgreSQL receives it as
``uscc = ANY(%s)`` with the values as ONE array parameter. A batch of ten thousand keys then
costs one parameter, not ten thousand placeholders for Django to resolve and psycopg to splice
(most of an import's subject look-up time went there). SQLite gets the plain ``IN``. Use it as
an expression in ``filter()``: ``Institution.objects.filter(AnyOf(F("uscc"), usccs))``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.lookups import In


class AnyOf(In):  # type: ignore[type-arg]
    """``field IN values``, sent to PostgreSQL as ``field = ANY(<one array parameter>)``."""

    lookup_name = "any_of"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection) for value in self.rhs]
        return f"{lhs} = ANY(%s)", [*lhs_params, values]
