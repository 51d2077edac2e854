"""The reference server's SIP user agent (hand-written, over asyncio UDP).

See `ua.SipEndpoint` for the API the Rayo core uses.
"""
