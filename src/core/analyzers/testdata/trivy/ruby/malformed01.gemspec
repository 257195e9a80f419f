# -*- encoding: utf-8 -*-
# ... REDACTED ...

# Missing version attribute.

Gem::Specification.new do |s|
    s.name = "async".freeze

    # ... REDACTED ...
end
