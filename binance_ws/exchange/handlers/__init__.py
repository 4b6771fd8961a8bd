"""Layer 4 of the local exchange: the method handlers, one table per method group,
merged and checked complete in :mod:`.registry`. Internal.
"""
