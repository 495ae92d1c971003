"""hash_path and partitions against Swift's vectors; swift.conf affixes."""
import pytest

from swiftlike.common import hashing
from swiftlike.common.exceptions import ConfigError
from swiftlike.common.hashing import hash_path, partition_for_digest
from tests.conftest import load_vector

VECTORS = load_vector('hash_path.json')


@pytest.mark.parametrize('case', VECTORS['cases'],
                         ids=lambda c: '%s/%s/%s' % (
                             c['account'][:20], c['container'],
                             (c['object'] or '')[:20]))
def test_hash_path_vectors(case):
    hashing.set_hash_affixes(case['prefix'], case['suffix'])
    args = [case['account'], case['container'], case['object']]
    assert hash_path(*args) == case['hash_hex']
    digest = hash_path(*args, raw_digest=True)
    assert digest.hex() == case['hash_hex']
    assert partition_for_digest(digest, 32 - 10) == \
        case['partition_at_part_power_10']


def test_bytes_and_text_hash_alike():
    hashing.set_hash_affixes('', 'changeme')
    assert hash_path('AUTH_test', 'c', 'o') == \
        hash_path(b'AUTH_test', b'c', b'o') == \
        '7363996f2cfb95eaa18df19ccc31aece'


def test_empty_components_are_absent():
    hashing.set_hash_affixes('', 'changeme')
    assert hash_path('AUTH_test', '', '') == hash_path('AUTH_test')


def test_object_needs_container():
    hashing.set_hash_affixes('', 'changeme')
    with pytest.raises(ValueError):
        hash_path('a', None, 'o')
    with pytest.raises(ValueError):
        hash_path('a', '', 'o')


def test_affixes_from_swift_conf(swift_conf):
    assert hashing.get_hash_affixes() == (b'vectorprefix', b'vectorsuffix')


def test_latin1_affixes_from_swift_conf(tmp_path, monkeypatch):
    conf = tmp_path / 'swift.conf'
    conf.write_bytes(b'[swift-hash]\nswift_hash_path_prefix = \xe9t\xe9\n'
                     b'swift_hash_path_suffix = caf\xe9\n')
    monkeypatch.setenv('SWIFT_CONF_FILE', str(conf))
    case = next(c for c in VECTORS['cases'] if c['prefix'] == 'été')
    args = [case['account'], case['container'], case['object']]
    assert hash_path(*args) == case['hash_hex']


def test_missing_affixes_name_the_file(tmp_path, monkeypatch):
    conf = tmp_path / 'swift.conf'
    conf.write_text('[swift-hash]\n')
    monkeypatch.setenv('SWIFT_CONF_FILE', str(conf))
    with pytest.raises(ConfigError) as err:
        hash_path('a')
    assert str(conf) in str(err.value)
    assert 'swift_hash_path_prefix' in str(err.value)


def test_missing_swift_conf_names_the_file(tmp_path, monkeypatch):
    missing = tmp_path / 'nope.conf'
    monkeypatch.setenv('SWIFT_CONF_FILE', str(missing))
    with pytest.raises(ConfigError, match=str(missing)):
        hash_path('a')


def test_both_affixes_empty_refused():
    with pytest.raises(ConfigError):
        hashing.set_hash_affixes('', '')
