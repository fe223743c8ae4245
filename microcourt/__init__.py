"""microcourt — an open-source online litigation platform."""

__version__ = "0.1.0"
