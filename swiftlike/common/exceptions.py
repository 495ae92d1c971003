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


class LockTimeout(SwiftlikeError):
    """A directory lock was not acquired in time."""


class DiskFileError(SwiftlikeError):
    """Base of the object store's errors."""


class DiskFileNotExist(DiskFileError):
    """Nothing (live) at that name. ``timestamp``: a tombstone's, if any."""

    def __init__(self, message: str = '', timestamp=None,
                 metadata=None) -> None:
        super().__init__(message)
        self.timestamp = timestamp
        self.metadata = metadata or {}


class DiskFileDeleted(DiskFileNotExist):
    """The newest file is a tombstone."""


class DiskFileExpired(DiskFileDeleted):
    """The object's X-Delete-At has passed."""


class DiskFileQuarantined(DiskFileNotExist):
    """The files were bad and have been moved to quarantined/."""


class DiskFileCollision(DiskFileError):
    """The stored name differs from the one asked for (hash collision)."""


class DiskFileDeviceUnavailable(DiskFileError):
    """The device is not mounted (or not a directory): 507."""


class DiskFileNoSpace(DiskFileError):
    """No room for the data or its metadata: 507."""


class DiskFileXattrNotSupported(DiskFileNoSpace):
    """The filesystem refuses user xattrs: 507, as Swift answers."""


class DatabaseError(SwiftlikeError):
    """Base of the account/container database errors."""


class DatabaseConnectionError(DatabaseError):
    """The database cannot be opened (or was quarantined as corrupt)."""

    def __init__(self, path: str, msg: str) -> None:
        super().__init__('DB connection error (%s): %s' % (path, msg))
        self.path = path


class DatabaseAlreadyExists(DatabaseError):
    """initialize() found a database already in place."""


class DatabaseNotFound(DatabaseError):
    """No database file at that path."""
