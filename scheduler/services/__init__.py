"""One function per user action: opens nothing, receives the transaction, validates, writes, audits.

Callers (the desk and the command line) wrap each action in ``Database.transaction()``; a
``ServiceError`` raised inside rolls the whole action back.
"""
