"""chatarchief: secures business chat messages of Dutch government officials in a managed archive."""

__version__ = "0.1.0"
