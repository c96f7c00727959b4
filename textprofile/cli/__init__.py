"""The Typer command-line interface: thin shells over ``textprofile.pipeline``."""
