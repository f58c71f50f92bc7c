"""Hiring checks (入职查询) and the yearly re-check of current staff."""
