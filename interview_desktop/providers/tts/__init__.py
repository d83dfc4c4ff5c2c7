"""Text-to-speech providers: ElevenLabs (cloud) and pyttsx3 (offline)."""
