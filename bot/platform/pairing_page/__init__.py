"""The one-time pairing page the platform serves at ``/pair/{token}`` (HTML, no JavaScript)."""
