VERSION = (6, 1, 0)
__version__ = ".".join(str(i) for i in VERSION)
