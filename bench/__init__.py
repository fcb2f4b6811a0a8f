"""Load benchmarks of the service against a bare baseline (``make bench``)."""
