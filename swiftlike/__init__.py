"""swiftlike: a faithful Python reimplementation of OpenStack Swift."""

__version__ = '0.1.0'
