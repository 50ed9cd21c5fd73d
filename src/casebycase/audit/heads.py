"""Signed audit heads: what an agency publishes so that deleted events cannot go unnoticed.

A head names the last event of an agency's chain (sequence number and hash) at a time, and
is signed with the agency's Ed25519 key (kept outside the database). Checked against a
published head, a chain whose last events were deleted, or that was deleted whole, fails:
the hash chain alone cannot see a cut at its end. Pure: keys and texts in, values out.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from casebycase.audit.chain import Break, Event, Head, canonical

FORMAT = "casebycase-audit-head-v1"


@dataclass(frozen=True, slots=True)
class SignedHead:
    """An agency's chain head at a time, signed (``signature``: base64 Ed25519)."""

    agency: str
    seq: int
    hash: str
    at: str
    key: str
    """The signing key's fingerprint (sha256 of the raw public key, first 16 hex digits)."""
    signature: str = ""
    format: str = FORMAT

    def message(self) -> bytes:
        """The signed bytes: every field but the signature, as canonical JSON."""
        return canonical(
            [self.format, self.agency, self.seq, self.hash, self.at, self.key]
        ).encode()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignedHead:
        fields = {"agency", "seq", "hash", "at", "key", "signature", "format"}
        missing = sorted(fields - set(data))
        if missing:
            raise ValueError(f"a published head needs {', '.join(missing)}")
        return cls(
            str(data["agency"]),
            int(data["seq"]),
            str(data["hash"]),
            str(data["at"]),
            str(data["key"]),
            str(data["signature"]),
            str(data["format"]),
        )


def new_key() -> tuple[bytes, bytes]:
    """A new agency key: (private key PEM, public key PEM)."""
    private = Ed25519PrivateKey.generate()
    return (
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )


def fingerprint(public_pem: bytes) -> str:
    key = serialization.load_pem_public_key(public_pem)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(agency: str, head: Head | None, at: dt.datetime, private_pem: bytes) -> SignedHead:
    """The signed head of ``agency``'s chain (``head`` None: the chain is empty, seq 0)."""
    private = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError("the agency key must be an Ed25519 private key")
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    unsigned = SignedHead(
        agency,
        head.seq if head else 0,
        head.hash if head else "",
        at.astimezone(dt.UTC).isoformat(),
        fingerprint(public_pem),
    )
    signature = base64.b64encode(private.sign(unsigned.message())).decode()
    return SignedHead(**{**unsigned.to_dict(), "signature": signature})


def signature_ok(head: SignedHead, public_pem: bytes) -> bool:
    """Whether ``head`` was signed by the key ``public_pem`` and not altered since."""
    key = serialization.load_pem_public_key(public_pem)
    if not isinstance(key, Ed25519PublicKey) or head.key != fingerprint(public_pem):
        return False
    try:
        key.verify(base64.b64decode(head.signature), head.message())
    except (InvalidSignature, ValueError):
        return False
    return True


def against(events: list[Event], head: SignedHead) -> Break | None:
    """Whether an agency's stored chain still holds the published head: its event at
    ``head.seq`` must carry ``head.hash`` (run ``verify_chain`` for the links themselves)."""
    if head.seq == 0:
        return None
    mine = [e for e in events if e.agency == head.agency]
    if not mine:
        return Break(
            head.agency,
            head.seq,
            None,
            f"the whole chain is gone: the published head names event {head.seq}",
        )
    at = next((e for e in mine if e.seq == head.seq), None)
    if at is None:
        last = max(e.seq for e in mine)
        return Break(
            head.agency,
            head.seq,
            None,
            f"events after {last} were deleted: the published head names event {head.seq}",
        )
    if at.hash != head.hash:
        return Break(
            head.agency,
            head.seq,
            at.id,
            "the event differs from the published head (the chain was rewritten)",
        )
    return None
