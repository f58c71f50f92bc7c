"""Industry credit evaluation (行业信用评价, R2.3): standards as data, runs and grades."""
