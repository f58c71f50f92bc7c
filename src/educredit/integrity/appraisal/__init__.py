"""The annual teacher-ethics appraisal (师德考核)."""
