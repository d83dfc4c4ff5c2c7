"""Interview Desktop: practise and review job interviews by voice."""

__version__ = "0.1.0"
