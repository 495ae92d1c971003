"""[storage-policy:N] parsing with Swift's rules."""
import pytest

from swiftlike.common.exceptions import PolicyError
from swiftlike.common.storage_policy import (
    get_policy_string,
    load_storage_policies,
)


def _load(tmp_path, text):
    path = tmp_path / 'swift.conf'
    path.write_text('[swift-hash]\nswift_hash_path_suffix = s\n' + text)
    return load_storage_policies(str(path))


def test_no_policies_means_policy_0(tmp_path):
    policies = _load(tmp_path, '')
    assert [p.name for p in policies] == ['Policy-0']
    assert policies.default.idx == 0


def test_full_definitions(tmp_path):
    policies = _load(tmp_path, """
[storage-policy:0]
name = gold
aliases = yellow, orange
default = yes

[storage-policy:1]
name = silver
deprecated = true

[storage-policy:2]
name = ec
policy_type = erasure_coding
ec_type = liberasurecode_rs_vand
ec_num_data_fragments = 4
""")
    assert policies.default.name == 'gold'
    assert policies.get_by_name('ORANGE').idx == 0
    assert policies.get_by_name('silver').is_deprecated
    assert policies.get_by_index('2').policy_type == 'erasure_coding'
    assert policies.get_by_index(2).options['ec_num_data_fragments'] == '4'
    assert policies.get_by_index(None).idx == 0
    assert policies.get_by_index(7) is None
    assert policies.get_by_index('x') is None
    assert policies.get_by_index(1).ring_name == 'object-1'
    assert policies.default.aliases == 'gold, yellow, orange'


def test_single_policy_becomes_default(tmp_path):
    policies = _load(tmp_path, '[storage-policy:3]\nname = only\n')
    assert policies.default.idx == 3


@pytest.mark.parametrize('text, message', [
    ('[storage-policy:x]\nname = a\n', 'not a policy index'),
    ('[storage-policy:0]\nname = a\ndefault = yes\n'
     '[storage-policy:1]\nname = b\ndefault = yes\n', 'Duplicate default'),
    ('[storage-policy:0]\nname = a\n[storage-policy:1]\nname = b\n',
     'Unable to find default policy'),
    ('[storage-policy:0]\nname = a\n[storage-policy:1]\nname = A\n'
     'default = yes\n', 'Duplicate name'),
    ('[storage-policy:0]\nname = a b\n', 'Invalid name'),
    ('[storage-policy:0]\nname = a\ndefault = yes\ndeprecated = yes\n',
     'Deprecated policy can not be default'),
    ('[storage-policy:0]\nname = a\npolicy_type = magic\n',
     'Invalid policy_type'),
    ('[storage-policy:1]\nname = Policy-0\n', 'reserved'),
    ('[storage-policy:1]\ndefault = yes\n', 'name is required'),
    ('[storage-policy:0]\nname = a\ndefault = maybe\n', 'true or false'),
])
def test_invalid_definitions_name_the_file(tmp_path, text, message):
    with pytest.raises(PolicyError) as err:
        _load(tmp_path, text)
    assert message in str(err.value)
    assert str(tmp_path / 'swift.conf') in str(err.value)


def test_policy_strings():
    assert get_policy_string('objects', 0) == 'objects'
    assert get_policy_string('objects', 2) == 'objects-2'
    assert get_policy_string('async_pending', 1) == 'async_pending-1'
