"""Audio capture, end-of-answer detection, playback and WAV helpers (numpy only, no widgets)."""
