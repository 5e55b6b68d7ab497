"""Builds the Lạng Sơn NTM transparency site: data package -> model -> Markdown pages -> site."""
__version__ = "0.1.0"
