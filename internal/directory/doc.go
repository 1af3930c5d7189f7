// Package directory owns the declarative directory file: the YAML list of organisations,
// accounts and role grants that `lotse directory apply` and the demo seed apply. It parses
// and checks a file without touching the database (Parse), and checks the references that
// need the database against a description of what is stored (File.Check). Every problem names
// its line. Applying a checked file is the service layer's job (service.Directory.Apply).
//
// It is a model-like package: it depends only on internal/model and gopkg.in/yaml.v3, so
// that the service layer may import it.
package directory
