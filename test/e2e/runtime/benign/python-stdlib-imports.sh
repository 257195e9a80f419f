#!/bin/sh
# benign: python3 importing stdlib modules as root (byte-code caches)
# where: host
python3 -c "import json, email.mime.text, http.server" ; /usr/bin/python3 -c "import json, xml.dom.minidom"; true
