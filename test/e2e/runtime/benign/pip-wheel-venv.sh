#!/bin/sh
# benign: python3 -m venv, pip install of a local wheel (no index), running its console script from the venv
# where: host
python3 -c 'import venv, ensurepip' 2> /dev/null || exit 0
d=$(mktemp -d /var/lib/vigil-py.XXXXXX) && cd "$d" && python3 -m venv v && mkdir -p w/vigdemo w/vigdemo-1.0.dist-info && echo 'def main(): print(1)' > w/vigdemo/__init__.py \
  && printf 'Metadata-Version: 2.1\nName: vigdemo\nVersion: 1.0\n' > w/vigdemo-1.0.dist-info/METADATA \
  && printf 'Wheel-Version: 1.0\nGenerator: x\nRoot-Is-Purelib: true\nTag: py3-none-any\n' > w/vigdemo-1.0.dist-info/WHEEL \
  && printf '[console_scripts]\nvigdemo = vigdemo:main\n' > w/vigdemo-1.0.dist-info/entry_points.txt \
  && printf 'vigdemo/__init__.py,,\nvigdemo-1.0.dist-info/METADATA,,\nvigdemo-1.0.dist-info/WHEEL,,\nvigdemo-1.0.dist-info/entry_points.txt,,\nvigdemo-1.0.dist-info/RECORD,,\n' > w/vigdemo-1.0.dist-info/RECORD \
  && (cd w && python3 -m zipfile -c ../vigdemo-1.0-py3-none-any.whl vigdemo vigdemo-1.0.dist-info) \
  && v/bin/pip install -q --no-index --disable-pip-version-check vigdemo-1.0-py3-none-any.whl && v/bin/vigdemo > /dev/null; rc=$?; cd / && rm -rf "$d"; exit $rc
