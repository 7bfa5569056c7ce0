"""rasa-sdk actions of merchant-assistant: thin, async, one module per feature.

Importing this package has no side effects: rasa-sdk imports every module here at
start, so clients, catalogs and detectors are all built lazily on first use.
"""
