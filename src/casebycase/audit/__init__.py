"""The audit trail's arithmetic: canonical JSON, hashes, sealing and verifying chains (pure)."""
