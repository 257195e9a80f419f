# -*- encoding: utf-8 -*-
# ... REDACTED ...

Gem::Specification.new do |spec|
    spec.name = "async".freeze # comment
    spec.version = "1.25.0"
    spec.licenses = "MIT" # invalid

    # ... REDACTED ...
end
