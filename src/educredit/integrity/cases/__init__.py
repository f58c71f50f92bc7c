"""Integrity cases: the procedure per regime and the sanction clock (诚信案件与处分期)."""
