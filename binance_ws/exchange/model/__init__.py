"""Layer 1 of the local exchange: plain data (accounts, keys, orders, books, symbols, events).

Imports nothing of the exchange above it. Internal: the public API is
:class:`binance_ws.exchange.LocalExchange`.
"""
