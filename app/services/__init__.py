"""The rules of the domain. Services take a session and a Principal, flush, and never speak HTTP."""
