"""Providers behind small protocols, tried in order by a FallbackChain: speech-to-text (stt/),
text-to-speech (tts/), the interviewer brain (brains/) and what the cloud ones share (cloud/)."""
