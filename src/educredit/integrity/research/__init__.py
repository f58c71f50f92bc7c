"""Research integrity (科研诚信): activities, commitments, the serious-dishonesty database."""
