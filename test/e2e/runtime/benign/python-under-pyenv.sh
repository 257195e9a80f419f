#!/bin/sh
# benign: A language runtime under a version manager (pyenv shims when present)
# where: host
python3 -c 'import json, hashlib; print(json.dumps({"h": hashlib.sha256(b"x").hexdigest()}))' > /dev/null
