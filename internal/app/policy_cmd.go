package app

// PolicyCmd groups the policy tools.
type PolicyCmd struct{}
