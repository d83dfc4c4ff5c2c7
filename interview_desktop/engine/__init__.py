"""The interview engine: state machine, question selection, evaluation and provider chains."""
