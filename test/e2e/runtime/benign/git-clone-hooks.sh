#!/bin/sh
# benign: git clone of a local bare repository, a post-commit hook that runs (.git/hooks is no staging directory), push
# where: host
d=$(mktemp -d /var/lib/vigil-g.XXXXXX) && cd "$d" && git init -q --bare o.git && git clone -q o.git w 2> /dev/null && cd w && printf '#!/bin/sh\ntrue\n' > .git/hooks/post-commit && chmod +x .git/hooks/post-commit && echo x > f && git add f && git -c user.email=a@b -c user.name=a commit -qm m && git push -q origin HEAD 2> /dev/null; rc=$?; cd / && rm -rf "$d"; exit $rc
