"""Layer 2 of the local exchange: matching, balances, order lists and validation.

Knows nothing of servers or connections: it is built from the model (accounts, books,
symbols) and reports user-data events through a callback it is given. Internal.
"""
