"""SASL PLAIN (RFC 4616) against a table of accounts, as mod_rayo offers it."""

from __future__ import annotations

import base64
import binascii
import hmac

MECHANISM = "PLAIN"


class SaslFailure(Exception):
    """The exchange failed with this SASL condition (RFC 6120 6.5)."""

    def __init__(self, condition: str):
        super().__init__(condition)
        self.condition = condition


def authenticate(mechanism: str | None, initial_response: str | None, accounts: dict[str, str], domain: str) -> str:
    """The account name the client proved it owns, or SaslFailure.

    Only PLAIN with an initial response: the client sends its one message
    with <auth/> (mod_rayo treats a missing one as a failure too).
    """
    if mechanism != MECHANISM:
        raise SaslFailure("invalid-mechanism")
    if initial_response is None:
        raise SaslFailure("malformed-request")
    try:
        message = base64.b64decode(initial_response.strip(), validate=True)
    except binascii.Error:
        raise SaslFailure("incorrect-encoding") from None
    try:
        authzid, authcid, password = message.decode("utf-8").split("\0")
    except ValueError:  # not UTF-8, or not three fields
        raise SaslFailure("malformed-request") from None
    user = _account(authcid, domain)
    expected = accounts.get(user) if user is not None else None
    # compare_digest: the time taken must not tell how much of the password matched
    if user is None or expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
        raise SaslFailure("not-authorized")
    # An authzid may only name the authenticated account itself: acting for
    # another account would need rules this server does not have.
    if authzid and _account(authzid, domain) != user:
        raise SaslFailure("invalid-authzid")
    return user


def _account(identity: str, domain: str) -> str | None:
    """'alice' or 'alice@<domain>' -> 'alice'; an identity in another domain -> None."""
    local, at, host = identity.rpartition("@")
    if not at:
        return identity
    return local if host.lower() == domain else None
