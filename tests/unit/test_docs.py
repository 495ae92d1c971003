"""The README links every document in doc/, and every link resolves."""
import os
import re

from tests.conftest import REPO_ROOT


def test_readme_links_every_doc():
    with open(os.path.join(REPO_ROOT, 'README.md')) as f:
        readme = f.read()
    docs = sorted(n for n in os.listdir(os.path.join(REPO_ROOT, 'doc'))
                  if n.endswith('.md'))
    missing = [d for d in docs if 'doc/%s' % d not in readme]
    assert not missing


def test_relative_links_resolve():
    broken = []
    for folder in ('', 'doc'):
        base = os.path.join(REPO_ROOT, folder)
        for name in os.listdir(base):
            if not name.endswith('.md'):
                continue
            with open(os.path.join(base, name)) as f:
                text = f.read()
            for target in re.findall(r'\]\(([^)#:]+)(?:#[^)]*)?\)', text):
                if not os.path.exists(os.path.join(base, target)):
                    broken.append('%s -> %s' % (name, target))
    assert not broken
