#!/bin/sh
# benign: language runtimes under version managers in a home directory (nvm, rustup/cargo, sdkman layouts holding real binaries) and a write to ~/.cache
# where: host
h=$(mktemp -d /home/vigil-vm.XXXXXX) && mkdir -p "$h/.nvm/versions/node/v20.0.0/bin" "$h/.cargo/bin" "$h/.sdkman/candidates/java/21/bin" "$h/.cache/pip" \
  && ln -s "$(command -v node)" "$h/.nvm/versions/node/v20.0.0/bin/node" && ln -s /bin/true "$h/.cargo/bin/rustc" && ln -s /bin/true "$h/.sdkman/candidates/java/21/bin/java" \
  && HOME=$h PATH=$h/.nvm/versions/node/v20.0.0/bin:$h/.cargo/bin:$h/.sdkman/candidates/java/21/bin:$PATH sh -c 'node -e 1 && rustc && java && echo x > "$HOME/.cache/pip/x"'; rc=$?; rm -rf "$h"; exit $rc
