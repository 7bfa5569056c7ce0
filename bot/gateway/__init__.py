"""The gateway: every channel (web chat, later Telegram and SMS), identities, rendering.

It reaches Rasa over its REST channel and the platform only over HTTP.
"""
