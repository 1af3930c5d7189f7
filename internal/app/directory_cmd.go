package app

// DirectoryCmd groups the directory tools.
type DirectoryCmd struct{}
