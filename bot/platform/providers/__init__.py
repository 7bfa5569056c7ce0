"""Delivery providers: the catalog (as data) and, in later issues, the adapters."""
