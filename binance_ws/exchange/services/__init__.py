"""Layer 3 of the local exchange: rate limits, security, user-data hub, connection limits,
request parameters, per-connection sessions and the scripted market participant. Internal.
"""
