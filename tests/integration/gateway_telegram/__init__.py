"""The Telegram channel end to end inside one process, with the real python-telegram-bot."""
