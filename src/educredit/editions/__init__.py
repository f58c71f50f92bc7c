"""Versioned editions of reference data (draft → published → retired), shared by every app
that keeps a versioned table: the catalog, the measure list, the commitment matters and
templates, and later evaluation standards, supervision policies and warning rules."""
