"""The HTTP shell: a REST API over the case service (``create_app``)."""
