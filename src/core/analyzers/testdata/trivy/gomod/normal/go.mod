module github.com/org/repo

go 1.22.0

toolchain go1.22.5

require github.com/aquasecurity/go-version v0.0.0-20240603093900-cf8a8d29271d

require (
	github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc // indirect
	github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2 // indirect
	github.com/stretchr/testify v1.9.0 // indirect
	golang.org/x/xerrors v0.0.0-20231012003039-104605ab7028 // indirect
)
