"""opendsop: an open-source implementation of Norway's DSOP ecosystem."""

__version__ = "0.1.0"
