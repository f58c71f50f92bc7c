"""Individual integrity (个人诚信, R3): one package, one Django app per sub-domain.

- ``cases``: the case procedure for misconduct of people, table-driven per regime, and the one
  sanction clock per person;
- ``appraisal``: the annual teacher-ethics appraisal (师德考核);
- ``hiring``: the hiring check (入职查询) and the statutory record of the separate check;
- ``research``: research integrity (科研诚信): activity records, the serious-dishonesty database;
- ``students``: directed and state-funded students' contracts, aid integrity, honours, education.

Each sub-app owns its tables and migrations (ADR 0049); they meet through services and
selectors like any other apps.
"""
