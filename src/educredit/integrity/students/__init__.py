"""Students' integrity: contracts of directed and state-funded students, aid, honours, education."""
