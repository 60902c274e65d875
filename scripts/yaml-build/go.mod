// Builds the YAML language host pulumi-language-yaml (scripts/ensure-pulumi-yaml) at the version required here,
// with the Pulumi SDK that release pins itself (it does not build against the CLI's newer pkg/v3).
module pulumi-jobrouter/yaml-build

go 1.25.11

require github.com/pulumi/pulumi-yaml v1.25.0 // indirect
