"""Outbound notifications: SMS through Twilio (alerts and the SMS channel's replies)."""
