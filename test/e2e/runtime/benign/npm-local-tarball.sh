#!/bin/sh
# benign: npm pack, npm install of the local tarball offline, running its bin from node_modules/.bin
# where: host
command -v npm > /dev/null || exit 0
d=$(mktemp -d /var/lib/vigil-npm.XXXXXX) && cd "$d" && mkdir pkg app && printf '{"name":"vigdemo","version":"1.0.0","bin":{"vigdemo":"cli.js"}}' > pkg/package.json && printf '#!/usr/bin/env node\nconsole.log(1)\n' > pkg/cli.js \
  && (cd pkg && npm pack -q > /dev/null 2>&1) && cd app && echo '{}' > package.json && npm install --offline --no-audit --no-fund -q ../pkg/vigdemo-1.0.0.tgz > /dev/null 2>&1 && ./node_modules/.bin/vigdemo > /dev/null; rc=$?; cd / && rm -rf "$d"; exit $rc
