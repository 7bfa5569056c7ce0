"""One module per channel; each verifies who is talking and renders bot replies its way."""
