"""Replaying many requests under a pack."""
