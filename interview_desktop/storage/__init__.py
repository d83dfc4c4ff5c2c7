"""Session history: the repository protocol and its JSON and MongoDB implementations."""
