#!/bin/sh
# benign: tar -x of an application tree into /opt and running its start script
# where: container
mkdir -p /src/app/bin && printf '#!/bin/sh\necho ok\n' > /src/app/bin/run.sh && chmod +x /src/app/bin/run.sh && tar -C /src -cf /tmp/app.tar app && mkdir -p /opt && tar -C /opt -xf /tmp/app.tar && /opt/app/bin/run.sh > /dev/null; rc=$?; rm -rf /opt/app /tmp/app.tar /src; exit $rc
