"""The clinic's rules in plain Python: no Qt, no SQL."""
