"""Cases: a request and its life (received, recommended, decided, reviewed, closed)."""
