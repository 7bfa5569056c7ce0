"""merchant-assistant: a support assistant for restaurant merchants' delivery integrations."""
