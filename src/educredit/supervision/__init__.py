"""Graded supervision and 双随机一公开 (R2.3, R6.3): who is inspected, how often, drawn openly."""
