"""Interviewer brains: the offline question bank + rubric, and the Groq LLM; their prompts."""
