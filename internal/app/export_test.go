package app

// Helpers of package app's tests for its external tests (package app_test): the tests of the
// development variant import devapp, which imports app, so they cannot live in package app.
var (
	ClearLotseEnv = clearLotseEnv
	SchemaVersion = schemaVersion
	AssertNoCrash = assertNoCrash
	DirectoryRows = directoryRows
	WriteFile     = writeFile
	RunMainWith   = runMainWith
	HelpCommands  = helpCommands
)
