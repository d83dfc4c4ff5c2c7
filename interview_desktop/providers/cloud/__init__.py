"""Cloud providers (Groq speech-to-text and LLM, ElevenLabs voice) for the fallback chains.

Each provider is a plain object with the offline provider's protocol, ``cloud = True``, a key and a
base URL, SDK retries off, its own :class:`~.circuit.CircuitBreaker`, and only provider errors
(:mod:`interview_desktop.providers.base`) escaping it. ``config.build_cloud_providers`` builds
them from settings and the :class:`~interview_desktop.config.keys.KeyStore`.
"""
