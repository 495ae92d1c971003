"""Exception classes shared across swiftlike.

Callers catch these by type, so every failure that a caller may want to
handle differently gets its own class rather than a message to parse.
"""


class SwiftlikeError(Exception):
    """Base class of every swiftlike-specific error."""


class ConfigError(SwiftlikeError, ValueError):
    """A config file is missing, unreadable, or holds a bad value.

    The message always names the file, and where relevant the section and
    the option, because operators read it on a console at 3 a.m.
    """


class InvalidTimestamp(SwiftlikeError, ValueError):
    """A value cannot be turned into a Timestamp."""


class PathError(SwiftlikeError, ValueError):
    """A request path or device/partition name fails validation."""


class PolicyError(ConfigError):
    """A storage policy definition in swift.conf is invalid."""


class RingLoadError(SwiftlikeError):
    """A ring file cannot be read or does not parse."""


class RingValidationError(RingLoadError):
    """A ring file parsed but its contents are inconsistent."""


class RingBuilderError(SwiftlikeError):
    """A builder operation cannot be carried out."""


class DuplicateDeviceError(RingBuilderError):
    """A device with that id (or address and name) already exists."""


class EmptyRingError(RingBuilderError):
    """Not enough weighted devices to assign every replica."""


class UnpicklingForbidden(SwiftlikeError, ValueError):
    """A pickle asked for a global outside the allowed plain-data set."""
