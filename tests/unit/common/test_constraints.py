"""Constraint defaults and swift.conf overrides."""
import pytest

from swiftlike.common import constraints
from swiftlike.common.exceptions import ConfigError


@pytest.fixture(autouse=True)
def _restore_constraints():
    yield
    for name, value in constraints.DEFAULT_CONSTRAINTS.items():
        setattr(constraints, name.upper(), value)
    constraints.EFFECTIVE_CONSTRAINTS.clear()
    constraints.EFFECTIVE_CONSTRAINTS.update(constraints.DEFAULT_CONSTRAINTS)


def test_swift_defaults():
    assert constraints.MAX_FILE_SIZE == 5368709122
    assert constraints.MAX_META_COUNT == 90
    assert constraints.MAX_OBJECT_NAME_LENGTH == 1024
    assert constraints.CONTAINER_LISTING_LIMIT == 10000
    assert constraints.VALID_API_VERSIONS == ['v1', 'v1.0']


def test_missing_swift_conf_gives_defaults(tmp_path):
    loaded = constraints.load_constraints(str(tmp_path / 'none.conf'))
    assert loaded == constraints.DEFAULT_CONSTRAINTS


def test_overrides(tmp_path):
    conf = tmp_path / 'swift.conf'
    conf.write_text('[swift-constraints]\nmax_file_size = 1000\n'
                    'valid_api_versions = v1, v2\n'
                    'auto_create_account_prefix = _\n')
    effective = constraints.reload_constraints(str(conf))
    assert effective['max_file_size'] == 1000
    assert constraints.MAX_FILE_SIZE == 1000
    assert constraints.VALID_API_VERSIONS == ['v1', 'v2']
    assert constraints.EFFECTIVE_CONSTRAINTS['auto_create_account_prefix'] \
        == '_'
    assert constraints.MAX_META_COUNT == 90


def test_bad_override_names_option(tmp_path):
    conf = tmp_path / 'swift.conf'
    conf.write_text('[swift-constraints]\nmax_meta_count = lots\n')
    with pytest.raises(ConfigError) as err:
        constraints.load_constraints(str(conf))
    assert 'max_meta_count' in str(err.value) and str(conf) in str(err.value)
