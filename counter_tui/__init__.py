"""Counter: guided handling of abusive, threatening or unreasonably persistent customers."""

__version__ = "0.1.0"
