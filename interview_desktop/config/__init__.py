"""Settings (a JSON file, never secrets) and API keys (the system keyring)."""
