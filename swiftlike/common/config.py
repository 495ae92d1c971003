"""Reading swift.conf and paste-style server configs.

Every error names the file (and the section and option where there is one):
a daemon that refuses to start must tell the operator exactly what to fix.
Values are parsed with the typed getters of :class:`ConfSection`, which know
where the value came from.
"""
from __future__ import annotations

import configparser
import glob
import os
from typing import Any, Dict, Iterable, List, Optional

from swiftlike.common.exceptions import ConfigError

DEFAULT_SWIFT_DIR = '/etc/swift'
DEFAULT_SWIFT_CONF = os.path.join(DEFAULT_SWIFT_DIR, 'swift.conf')
#: Environment variable naming another swift.conf (tests, all-in-one).
SWIFT_CONF_ENV = 'SWIFT_CONF_FILE'

TRUE_VALUES = frozenset(('true', '1', 'yes', 'on', 't', 'y'))
FALSE_VALUES = frozenset(('false', '0', 'no', 'off', 'f', 'n'))

#: Key paste.deploy adds to every section: the file the config came from.
FILE_KEY = '__file__'
#: Prefix of paste.deploy's per-section override of a [DEFAULT] value.
SET_PREFIX = 'set '


def config_true_value(value: Any) -> bool:
    """True for Swift's true spellings; anything else is False."""
    return value is True or (
        isinstance(value, str) and value.strip().lower() in TRUE_VALUES)


def swift_conf_path() -> str:
    """swift.conf's path: $SWIFT_CONF_FILE or /etc/swift/swift.conf."""
    return os.environ.get(SWIFT_CONF_ENV) or DEFAULT_SWIFT_CONF


def prefer_swift_conf_in(swift_dir: str) -> None:
    """Tools given ``--swift-dir`` read that directory's swift.conf
    (unless SWIFT_CONF_FILE names one)."""
    candidate = os.path.join(swift_dir, 'swift.conf')
    if 'SWIFT_CONF_FILE' not in os.environ and os.path.isfile(candidate):
        os.environ['SWIFT_CONF_FILE'] = candidate


class ConfSection(dict):
    """The options of one config section, with typed, self-explaining getters.

    A plain dict of strings (so it can be handed to paste factories) that
    remembers which file and section it came from for error messages.
    """

    def __init__(self, values: Dict[str, str], path: str = '<memory>',
                 section: str = 'DEFAULT') -> None:
        super().__init__(values)
        self.path = path
        self.section = section

    def _fail(self, option: str, value: Any, expected: str) -> ConfigError:
        return ConfigError('%s: [%s] %s: invalid value %r (expected %s)' % (
            self.path, self.section, option, value, expected))

    def get_bool(self, option: str, default: bool = False) -> bool:
        value = self.get(option)
        if value is None or value == '':
            return default
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in TRUE_VALUES:
            return True
        if lowered in FALSE_VALUES:
            return False
        raise self._fail(option, value, 'true or false')

    def get_int(self, option: str, default: int = 0,
                minimum: Optional[int] = None) -> int:
        value = self.get(option)
        if value is None or value == '':
            return default
        try:
            number = int(str(value).strip())
        except ValueError:
            raise self._fail(option, value, 'an integer') from None
        if minimum is not None and number < minimum:
            raise self._fail(option, value, 'an integer >= %d' % minimum)
        return number

    def get_float(self, option: str, default: float = 0.0,
                  minimum: Optional[float] = None) -> float:
        value = self.get(option)
        if value is None or value == '':
            return default
        try:
            number = float(str(value).strip())
        except ValueError:
            raise self._fail(option, value, 'a number') from None
        if minimum is not None and number < minimum:
            raise self._fail(option, value, 'a number >= %s' % minimum)
        return number

    def get_percent(self, option: str, default: float = 0.0) -> float:
        """A percentage such as ``1%`` or ``1``, as a fraction (0.01)."""
        value = self.get(option)
        if value is None or value == '':
            return default
        text = str(value).strip()
        try:
            number = float(text[:-1] if text.endswith('%') else text)
        except ValueError:
            raise self._fail(option, value, 'a percentage') from None
        if not 0 <= number <= 100:
            raise self._fail(option, value, 'a percentage from 0 to 100')
        return number / 100.0

    def get_list(self, option: str, default: Iterable[str] = ()
                 ) -> List[str]:
        value = self.get(option)
        if value is None:
            return list(default)
        return [item.strip() for item in str(value).split(',')
                if item.strip()]


def _conf_files(path: str) -> List[str]:
    """A file, or every ``*.conf`` of a directory in sorted order (conf.d)."""
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, '*.conf')))
        if not files:
            raise ConfigError('Unable to find config files in %s' % path)
        return files
    if not os.path.exists(path):
        raise ConfigError('Unable to read config from %s: no such file'
                          % path)
    return [path]


def _parser(path: str, encoding: str = 'utf-8'
            ) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # option names keep their case (meta headers)
    for name in _conf_files(path):
        try:
            with open(name, encoding=encoding) as f:
                parser.read_file(f, source=name)
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError('Unable to read config from %s: %s'
                              % (name, err)) from None
        except configparser.Error as err:
            raise ConfigError('Error trying to load config from %s: %s'
                              % (name, err)) from None
    return parser


def _section_values(parser: configparser.ConfigParser, section: str,
                    path: str) -> ConfSection:
    """A section's options over [DEFAULT]'s, then its ``set`` overrides.

    This is Swift's readconf view (daemons): a plain option in a section
    wins over [DEFAULT]. ``set name = value`` also wins, as under paste.
    """
    values: Dict[str, str] = {}
    overrides: Dict[str, str] = {}
    for key, value in parser.items(section):
        if key.startswith(SET_PREFIX):
            overrides[key[len(SET_PREFIX):].strip()] = value
        else:
            values[key] = value
    values.update(overrides)
    values[FILE_KEY] = path
    values['here'] = os.path.dirname(os.path.abspath(path))
    return ConfSection(values, path=path, section=section)


def readconf(path: str, section_name: Optional[str] = None,
             defaults: Optional[Dict[str, str]] = None
             ) -> Dict[str, Any]:
    """Read a paste-style server config (a file or a conf.d directory).

    With ``section_name``, return that section's effective options as a
    :class:`ConfSection`; otherwise a dict of every section so, including
    ``DEFAULT``. ``defaults`` fill options the file does not set.
    """
    parser = _parser(path)
    sections = [configparser.DEFAULTSECT] + parser.sections()
    if section_name is not None:
        if section_name not in sections:
            raise ConfigError('Unable to find %s config section in %s'
                              % (section_name, path))
        sections = [section_name]
    result: Dict[str, Any] = {}
    for section in sections:
        conf = _section_values(parser, section, path)
        for key, value in (defaults or {}).items():
            conf.setdefault(key, value)
        result[section] = conf
    return result[section_name] if section_name is not None else result


def read_swift_conf(path: Optional[str] = None
                    ) -> configparser.ConfigParser:
    """Parse swift.conf; values are latin-1 text, i.e. raw bytes 1:1.

    The hash prefix and suffix are used as bytes, and reading as latin-1
    maps every byte of the file to exactly one character.
    """
    path = path or swift_conf_path()
    return _parser(path, encoding='latin-1')
