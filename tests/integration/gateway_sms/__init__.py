"""The SMS channel end to end inside one process (the gateway with Twilio stand-ins)."""
