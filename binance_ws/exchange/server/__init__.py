"""Layer 5 of the local exchange: websockets I/O, lifecycle, fault injection and the request
pipeline (:mod:`.pipeline`, a plain function of a venue and a session). Internal.
"""
