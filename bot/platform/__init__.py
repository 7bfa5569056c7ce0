"""The merchant platform the bot serves: models, services, HTTP API and provider catalog.

Nothing here has side effects at import time: engines, sessions and settings are
created by the functions that need them (``bot.platform.db``, ``bot.platform.api``).
"""
