"""Speech-to-text providers: local Whisper (offline), Groq Whisper (cloud), the hallucination guard."""
