"""Server configs (paste style) and typed option parsing with clear errors."""
import pytest

from swiftlike.common.config import (
    ConfSection,
    config_true_value,
    readconf,
    swift_conf_path,
)
from swiftlike.common.exceptions import ConfigError

SERVER_CONF = """\
[DEFAULT]
bind_port = 6200
workers = 2
log_name = base

[pipeline:main]
pipeline = healthcheck object-server

[app:object-server]
use = egg:swiftlike#object
workers = 4
set log_name = object-override
mb_per_sync = 512
"""


@pytest.fixture
def server_conf(tmp_path):
    path = tmp_path / 'object-server.conf'
    path.write_text(SERVER_CONF)
    return path


def test_section_values_merge_default_and_set(server_conf):
    conf = readconf(str(server_conf), 'app:object-server')
    assert conf['bind_port'] == '6200'       # from [DEFAULT]
    assert conf['workers'] == '4'            # section wins
    assert conf['log_name'] == 'object-override'  # `set` wins
    assert 'set log_name' not in conf
    assert conf['__file__'] == str(server_conf)
    assert conf['here'] == str(server_conf.parent)


def test_all_sections(server_conf):
    confs = readconf(str(server_conf))
    assert set(confs) == {'DEFAULT', 'pipeline:main', 'app:object-server'}
    assert confs['DEFAULT']['workers'] == '2'


def test_conf_dir_reads_files_in_order(tmp_path):
    conf_dir = tmp_path / 'object-server'
    conf_dir.mkdir()
    (conf_dir / '10.conf').write_text('[DEFAULT]\nworkers = 1\nuser = a\n')
    (conf_dir / '20.conf').write_text('[DEFAULT]\nworkers = 3\n')
    conf = readconf(str(conf_dir), 'DEFAULT')
    assert conf['workers'] == '3' and conf['user'] == 'a'


def test_missing_file_named(tmp_path):
    missing = tmp_path / 'missing.conf'
    with pytest.raises(ConfigError, match='Unable to read config from %s'
                       % missing):
        readconf(str(missing))


def test_missing_section_named(server_conf):
    with pytest.raises(ConfigError) as err:
        readconf(str(server_conf), 'object-replicator')
    assert 'object-replicator' in str(err.value)
    assert str(server_conf) in str(err.value)


def test_unparsable_file_named(tmp_path):
    bad = tmp_path / 'bad.conf'
    bad.write_text('no section header\n')
    with pytest.raises(ConfigError, match=str(bad)):
        readconf(str(bad))


def test_typed_getters():
    conf = ConfSection({'a': 'yes', 'b': '12', 'c': '1.5', 'd': '1%',
                        'e': 'x, y,,z', 'f': ''}, path='/etc/x.conf',
                       section='app:x')
    assert conf.get_bool('a') is True
    assert conf.get_bool('missing', True) is True
    assert conf.get_bool('f', True) is True
    assert conf.get_int('b') == 12 and conf.get_float('c') == 1.5
    assert conf.get_percent('d') == pytest.approx(0.01)
    assert conf.get_list('e') == ['x', 'y', 'z']
    assert conf.get_int('missing', 7) == 7


@pytest.mark.parametrize('getter, value, expected', [
    ('get_bool', 'maybe', 'true or false'),
    ('get_int', 'ten', 'an integer'),
    ('get_float', 'x', 'a number'),
    ('get_percent', '150%', 'a percentage'),
])
def test_bad_values_name_file_section_option(getter, value, expected):
    conf = ConfSection({'opt': value}, path='/etc/swift/x.conf',
                       section='app:x')
    with pytest.raises(ConfigError) as err:
        getattr(conf, getter)('opt')
    message = str(err.value)
    assert '/etc/swift/x.conf' in message and '[app:x]' in message
    assert 'opt' in message and expected in message


def test_int_minimum():
    conf = ConfSection({'workers': '-1'}, path='p', section='s')
    with pytest.raises(ConfigError, match='>= 0'):
        conf.get_int('workers', minimum=0)


def test_config_true_value():
    assert all(config_true_value(v) for v in
               ('true', 'TRUE', '1', 'yes', 'on', 't', 'y', True))
    assert not any(config_true_value(v) for v in
                   ('false', '0', 'no', '', None, 'nope', 1))


def test_swift_conf_path_env(monkeypatch):
    monkeypatch.delenv('SWIFT_CONF_FILE', raising=False)
    assert swift_conf_path() == '/etc/swift/swift.conf'
    monkeypatch.setenv('SWIFT_CONF_FILE', '/tmp/other.conf')
    assert swift_conf_path() == '/tmp/other.conf'
