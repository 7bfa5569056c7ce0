"""The one-time OTO setup page: retailer ID and token are typed here, never in the chat."""
