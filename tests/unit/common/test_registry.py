import pytest

from swiftlike.common.registry import (
    get_swift_info,
    register_swift_info,
    reset_swift_info,
)


@pytest.fixture(autouse=True)
def _clean():
    reset_swift_info()
    yield
    reset_swift_info()


def test_sections_merge_and_hide():
    register_swift_info('swift', version='1', valid_api_versions=['v1'])
    register_swift_info('swift', max_file_size=5)
    register_swift_info('tempauth', account_acls=True)
    register_swift_info('tempurl', admin=True, methods=['GET'])
    info = get_swift_info(disallowed_sections=['swift.valid_api_versions'])
    assert info == {'swift': {'version': '1', 'max_file_size': 5},
                    'tempauth': {'account_acls': True}}
    assert 'tempauth' not in get_swift_info(disallowed_sections=['tempauth'])
    admin = get_swift_info(admin=True, disallowed_sections=['tempauth'])
    assert admin['admin'] == {'tempurl': {'methods': ['GET']},
                              'disallowed_sections': ['tempauth']}
    # hiding never changes what is registered
    assert get_swift_info()['swift']['valid_api_versions'] == ['v1']


def test_dotted_names_refused():
    with pytest.raises(ValueError):
        register_swift_info('a.b', x=1)
