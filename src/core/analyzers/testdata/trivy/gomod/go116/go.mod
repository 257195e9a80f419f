module github.com/org/repo

go 1.16

require github.com/aquasecurity/go-dep-parser v0.0.0-20211224170007-df43bca6b6ff

require gopkg.in/yaml.v3 v3.0.0-20210107192922-496545a6307b // indirect
