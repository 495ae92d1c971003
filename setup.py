"""Packaging for swiftlike: the package, the executables of bin/, extras."""
import glob
import os

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def _readme() -> str:
    with open(os.path.join(HERE, 'README.md'), encoding='utf-8') as f:
        return f.read()


setup(
    name='swiftlike',
    version='0.1.0',
    description='A faithful Python reimplementation of OpenStack Swift '
                'object storage',
    long_description=_readme(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.9',
    packages=find_packages(include=['swiftlike', 'swiftlike.*']),
    # Every executable lives in bin/ as a thin wrapper around swiftlike.cli,
    # so operators find them under the same names as Swift's.
    scripts=sorted(glob.glob('bin/swiftlike*')),
    entry_points={
        'paste.app_factory': [
            'object = swiftlike.obj.server:app_factory',
            'container = swiftlike.container.server:app_factory',
            'account = swiftlike.account.server:app_factory',
            'proxy = swiftlike.proxy.server:app_factory',
        ],
        'paste.filter_factory': [
            'healthcheck = swiftlike.common.middleware.healthcheck:'
            'filter_factory',
            'recon = swiftlike.common.middleware.recon:filter_factory',
            'catch_errors = swiftlike.common.middleware.catch_errors:'
            'filter_factory',
            'gatekeeper = swiftlike.common.middleware.gatekeeper:'
            'filter_factory',
            'tempauth = swiftlike.common.middleware.tempauth:filter_factory',
            'copy = swiftlike.common.middleware.copy:filter_factory',
            'slo = swiftlike.common.middleware.slo:filter_factory',
            'dlo = swiftlike.common.middleware.dlo:filter_factory',
            'versioned_writes = swiftlike.common.middleware.versioned_writes:'
            'filter_factory',
            'tempurl = swiftlike.common.middleware.tempurl:filter_factory',
            'bulk = swiftlike.common.middleware.bulk:filter_factory',
            'cors = swiftlike.common.middleware.cors:filter_factory',
            'formpost = swiftlike.common.middleware.formpost:filter_factory',
            'staticweb = swiftlike.common.middleware.staticweb:filter_factory',
            'symlink = swiftlike.common.middleware.symlink:filter_factory',
            'ratelimit = swiftlike.common.middleware.ratelimit:filter_factory',
            'name_check = swiftlike.common.middleware.name_check:'
            'filter_factory',
            'read_only = swiftlike.common.middleware.read_only:filter_factory',
            'crossdomain = swiftlike.common.middleware.crossdomain:'
            'filter_factory',
            'domain_remap = swiftlike.common.middleware.domain_remap:'
            'filter_factory',
            'container_quotas = swiftlike.common.middleware.container_quotas:'
            'filter_factory',
            'account_quotas = swiftlike.common.middleware.account_quotas:'
            'filter_factory',
            'memcache = swiftlike.common.middleware.memcache:filter_factory',
            'listing_formats = swiftlike.common.middleware.listing_formats:'
            'filter_factory',
            'proxy_logging = swiftlike.common.middleware.proxy_logging:'
            'filter_factory',
        ],
    },
    install_requires=[
        'eventlet>=0.33',
        'webob>=1.8',
        'PasteDeploy>=2.0',
        'xattr>=0.9',
        'requests>=2.25',
    ],
    extras_require={
        'test': [
            'pytest>=7',
            'hypothesis>=6',
            'python-swiftclient>=4',
            'ruff>=0.4',
        ],
    },
    classifiers=[
        'Programming Language :: Python :: 3',
        'License :: OSI Approved :: Apache Software License',
        'Operating System :: POSIX :: Linux',
        'Topic :: System :: Distributed Computing',
    ],
)
