"""The policy core: pure functions from (request, pack, date) to a recommendation."""
